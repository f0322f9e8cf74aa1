"""Errors a reviewer can act on. Each message says what went wrong and what to do next."""


class AssistantError(Exception):
    """Base of every error the product raises on purpose."""


class ConfigurationError(AssistantError):
    pass


class CatalogError(AssistantError):
    pass


class ChecksumMismatch(AssistantError):
    pass


class FetchError(AssistantError):
    pass


class DocumentUnreadable(AssistantError):
    """A PDF that cannot be turned into page text (corrupt, encrypted, image-only)."""


class IndexMissing(AssistantError):
    pass


class CaseInputError(AssistantError):
    """Case text or file that cannot be read as a case."""


class ModelBackendError(AssistantError):
    pass


class StorageError(AssistantError):
    pass


class AccessDenied(AssistantError):
    pass


class CriteriaError(AssistantError):
    """A criteria file that cannot be used: bad TOML, an unknown fact or category, or a quote not on its page."""

class IntakeTooSlowError(CaseInputError):
    """Reading one case ran over its per-request time budget (the message names the step)."""


class CaseFormatError(CaseInputError):
    """A structured (JSON) case whose shape or types do not fit the case format."""
