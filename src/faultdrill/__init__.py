"""faultdrill: chaos experiments that stay inside the error budget."""

__version__ = "0.1.0"
