"""Typed callback data, one module per feature beside its handlers, views and keyboards.

`bot.callbacks.base` holds the shared codec; each feature module (`bot.callbacks.catalog`, …)
holds that feature's data classes and its action codes. A pressed button may be of any
feature (an old keyboard, a forged payload), so every feature module is loaded here: parsing
anywhere then knows every action. Nothing is re-exported; import from the feature's module.
"""

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
