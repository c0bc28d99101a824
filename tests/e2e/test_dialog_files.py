"""Files, stickers and other non-text messages in the middle of a dialog (issue 11, item 9).

A .txt/.csv answers a list question (comments, usernames, hashtags, groups) with the same
checks as typed text and a count of the lines taken; anywhere else the answer is one short
line of what the open question expects (issue 13 item 12). Never "I did not understand that"
while a dialog is open.
"""

from __future__ import annotations

from tests.e2e.steps import add_params, ask, catalog_row, confirm, labels, say
from tests.fakes.panel_catalog import default_services
from tests.fakes.telegram_users import FakeUser
from tests.harness import Harness

KEY = "pk_files_0123456789abcdef"
UID = 4401
NOT_UNDERSTOOD = "I did not understand that"
# The one line under an error at a list question with nothing collected yet (the question
# itself is not sent again: issue 13 item 12).
LIST_REMINDER = "Send the lines in one or more messages, or as a .txt or .csv file; or ✖️ Cancel."
HEADER = "🛒 Ordering"


async def comments_question(u: FakeUser) -> str:
    await u.send("/order 3")
    await u.reply()
    return await ask(u, "https://instagram.com/p/x")


async def test_comments_file_is_taken_with_a_count_and_reaches_the_panel(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY, balance="1000")
    question = await comments_question(u)
    assert "Send the comments, one per line (5–1,000 lines)." in question
    assert ".txt or .csv file" in question
    comments = [f"Harika paylaşım {i} 👏" for i in range(1, 601)]
    content = "\ufeff" + "\r\n".join(comments[:300]) + "\r\n\r\n" + "\n".join(comments[300:])
    await u.send_document("yorumlar.txt", content.encode("utf-8"))
    preview = await u.reply()
    text = preview.text or ""
    assert "📄 600 lines accepted from the file." in text
    assert "Please check your order" in text and "Comments: 600 lines" in text
    assert "Cost: <b>$27.00</b>" in text  # 45.00 × 600 / 1000
    assert NOT_UNDERSTOOD not in "\n".join(u.sent_texts())
    # The preview shows the first lines; the whole list comes as a file under it (issue 21).
    whole = await u.reply()
    assert whole.document is not None and whole.document.content.decode().count("\n") >= 599
    await confirm(u, preview)
    [params] = add_params(bot)
    assert params["comments"].split("\n") == comments  # the BOM and blank lines are gone
    assert params["quantity"] == "600"


async def test_list_file_gets_the_typed_checks_and_the_question_again(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await comments_question(u)

    await u.send_document("few.txt", b"one\ntwo\nthree\n")
    reply = (await u.reply()).text or ""
    assert "You sent 3 lines; this service takes between 5 and 1,000." in reply
    assert reply.endswith(LIST_REMINDER) and HEADER not in reply

    long_line = "x" * 501
    await u.send_document("long.txt", f"a\n{long_line}\nc\nd\ne\n".encode())
    reply = (await u.reply()).text or ""
    assert "Line 2 is too long (over 500 characters)." in reply
    assert reply.endswith(LIST_REMINDER) and HEADER not in reply

    await u.send_document("tr.txt", "güzel\nçok iyi\nşahane\nöyle\nharika\n".encode("cp1254"))
    reply = (await u.reply()).text or ""
    assert "The file is not UTF-8 text." in reply and reply.endswith(LIST_REMINDER)

    await u.send_document("big.txt", b"nice\n" * 220_000)  # 1.1 MB
    reply = (await u.reply()).text or ""
    assert "The file is too large (1,074 KB). The limit is 1,024 KB." in reply

    await u.send_document("list.pdf", b"%PDF-1.4\n")
    reply = (await u.reply()).text or ""
    assert "Please send a .txt or .csv file, or type the lines." in reply

    await u.send_sticker()
    reply = (await u.reply()).text or ""
    assert "Send the lines as text, or as a .txt or .csv file." in reply
    assert reply.endswith(LIST_REMINDER) and HEADER not in reply

    # Still the same question: a good file now goes through, quoted CSV cells unquoted.
    csv_text = '"Nice, really"\r\n"She said ""wow"""\r\nplain\r\nfour\r\nfive\r\n'
    await u.send_document("comments.csv", csv_text.encode("utf-8-sig"))
    shown = await u.reply()
    preview = shown.text or ""
    assert "📄 5 lines accepted from the file." in preview and "Comments: 5 lines" in preview
    assert NOT_UNDERSTOOD not in "\n".join(u.sent_texts())
    assert bot.panel.count("add") == 0
    assert (await u.reply()).document is not None  # the whole list, under the first lines
    await confirm(u, shown)
    [params] = add_params(bot)
    assert params["comments"].split("\n") == [
        "Nice, really",
        'She said "wow"',
        "plain",
        "four",
        "five",
    ]


async def test_usernames_and_hashtags_files_then_text_question(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/order 4")
    await u.reply()
    await ask(u, "https://instagram.com/p/x")
    usernames_q = await ask(u, "100")
    assert "usernames to mention" in usernames_q and ".txt or .csv file" in usernames_q
    await u.send_document("users.txt", b"@alice\nbob\n\ncarol.c\n")
    hashtags_q = (await u.reply()).text or ""
    assert "📄 3 lines accepted from the file." in hashtags_q
    assert "Send the hashtags, one per line." in hashtags_q
    await u.send_document("tags.txt", b"#travel\nfood\nbad tag\n")
    reply = (await u.reply()).text or ""
    assert "Line 3 is not a valid hashtag: bad tag" in reply and reply.endswith(LIST_REMINDER)
    await u.send_document("tags.txt", b"#travel\nfood\n")
    preview = (await u.reply()).text or ""
    assert "📄 2 lines accepted from the file." in preview
    assert "Usernames: 3 lines" in preview and "Hashtags: 2 lines" in preview


async def test_file_or_sticker_at_a_text_question_restates_it(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/order 1")
    link_q = await u.reply()
    await u.send_document("links.txt", b"https://instagram.com/foo\n")
    reply = await u.reply()
    assert reply.text == "⚠️ I need a text answer here.\nSend a link, or ✖️ Cancel."
    assert labels(reply) == labels(link_q)
    assert bot.telegram.count("getFile") == 0  # nothing is downloaded for a text question
    quantity_q = await ask(u, "https://instagram.com/foo")
    assert "How many?" in quantity_q
    await u.send_sticker()
    reply_text = (await u.reply()).text or ""
    assert reply_text == "⚠️ I need a text answer here.\nSend a number, or ✖️ Cancel."
    await u.send("1000")
    assert "Please check your order" in ((await u.reply()).text or "")
    assert NOT_UNDERSTOOD not in "\n".join(u.sent_texts())


async def test_file_at_service_key_and_dripfeed_questions(bot: Harness) -> None:
    u = await bot.member(UID, key=KEY)
    await u.send("/order")
    await u.reply()
    await u.send_sticker()
    reply = (await u.reply()).text or ""
    assert "I need a text answer here." in reply and "Which service?" in reply
    assert "Send the link" in await ask(u, "2")
    await ask(u, "https://instagram.com/p/x")
    await u.send("1000")
    await u.reply()
    await u.send_document("runs.txt", b"5\n")
    reply = (await u.reply()).text or ""
    assert "Please answer with the buttons." in reply and "Use drip-feed?" in reply

    await u.send("/setkey")
    await u.reply()
    await u.send_document("key.txt", b"pk_something\n")
    reply = (await u.reply()).text or ""
    assert "I need a text answer here." in reply and "Send me your panel API key" in reply
    assert bot.telegram.count("getFile") == 0
    assert NOT_UNDERSTOOD not in "\n".join(u.sent_texts())


async def test_groups_file_for_invites(bot: Harness) -> None:
    services = default_services()
    services.append(
        catalog_row(60, "Telegram Grup Davet", type="Invites from Groups", category="Telegram",
                    rate="2.00", refill=None, cancel=None)
    )  # fmt: skip
    bot.panel.set_services(services)
    u = await bot.member(UID, key=KEY)
    groups_q = (await say(u, "/order 60", "https://t.me/mychannel", "100")).text or ""
    assert "groups to invite from" in groups_q
    await u.send_document("groups.csv", b"https://t.me/a\r\nhttps://t.me/b\r\n")
    preview = await u.reply()
    assert "📄 2 lines accepted from the file." in (preview.text or "")
    await confirm(u, preview)
    [params] = add_params(bot)
    assert params["groups"] == "https://t.me/a\nhttps://t.me/b"
