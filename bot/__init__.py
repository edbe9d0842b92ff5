"""studybot: a Discord study group for ML/AI engineer interviews."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("studybot")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+local"
