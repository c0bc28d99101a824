"""Fakes of the Telegram Bot API and of SMM panels, served over real HTTP."""

# How long a test waits, by default, for something the bot will do (a reply, an answer, a
# panel request). A condition, not a speed figure: generous, since CI runs on a loaded 2-core
# machine where a chart or a large catalog once took longer than the 5 s this used to be.
WAIT_SECONDS = 30.0
