"""Any OpenAI-compatible chat server (vLLM, Ollama, LM Studio, llama.cpp's server, gateways)
through LangChain's ``ChatOpenAI``."""

from __future__ import annotations

from assistant.generate import ChatBackend
from assistant.settings import Settings
from index.tokens import count_tokens, get_encoding

# cl100k counts differ from the served model's own tokenizer, which the API does not expose;
# leave a margin.
TOKEN_MARGIN = 1.15


def openai_backend(settings: Settings) -> ChatBackend:
    """A streaming ``ChatOpenAI`` pointed at ``settings.llm_base_url``."""
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        temperature=settings.llm_temperature,
        max_completion_tokens=settings.llm_max_tokens,
        # Servers that predate 'max_completion_tokens' (llama.cpp's among them) ignore it
        # and would generate to the end of the window.
        extra_body={"max_tokens": settings.llm_max_tokens},
        timeout=settings.llm_timeout_s,
        max_retries=0,
        streaming=True,
    )
    encoding = get_encoding(str(settings.data_dir / "cache" / "tiktoken"))
    return ChatBackend(
        model=model,
        name=f"{settings.llm_model} @ {settings.llm_base_url}",
        count_tokens=lambda text: int(count_tokens(encoding, text) * TOKEN_MARGIN) + 1,
        context_tokens=settings.llm_context_tokens,
    )
