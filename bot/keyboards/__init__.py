"""Inline keyboards, one module per feature beside its handlers, views and callback data;
`bot.keyboards.layout` holds what they share. Nothing is re-exported: import the feature's
module."""
