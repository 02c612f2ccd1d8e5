"""Argos Translate packages in the project's models folder.

``store`` lists and checks what is installed, ``package`` knows one package folder
(metadata, identity, install record), ``install`` unpacks a ``.argosmodel`` file
atomically, ``download`` fetches one from the Argos index (the only network use of the
job), and ``argos`` imports argostranslate so that it writes only into the models
folder. ``argostranslate.translate`` is never imported: it pulls torch and stanza.
"""

from jobs.models.argos import argos_environment, argos_package
from jobs.models.package import InstalledModel
from jobs.models.store import ModelStore, missing_model_message

__all__ = [
    "InstalledModel",
    "ModelStore",
    "argos_environment",
    "argos_package",
    "missing_model_message",
]
