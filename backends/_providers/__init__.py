"""The wire formats, one module per provider family."""

from ._base import Provider
from .anthropic import AnthropicProvider
from .ollama import OllamaProvider
from .openai import LlamaCppProvider, OpenAIProvider

PROVIDERS = {p.name: p for p in (OpenAIProvider, LlamaCppProvider, AnthropicProvider, OllamaProvider)}

__all__ = ["PROVIDERS", "Provider"]
