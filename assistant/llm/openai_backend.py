"""Any OpenAI-compatible chat server (vLLM, Ollama, LM Studio, llama.cpp's server, gateways)
through LangChain's ``ChatOpenAI``."""

from __future__ import annotations

from typing import Any

from assistant.generate import ChatBackend
from assistant.settings import Settings
from index.text.tokens import count_tokens, get_encoding

# cl100k counts differ from the served model's own tokenizer, which the API does not expose;
# leave a margin.
TOKEN_MARGIN = 1.15


def openai_backend(settings: Settings) -> ChatBackend:
    """A streaming ``ChatOpenAI`` pointed at ``settings.llm_base_url``."""
    from langchain_openai import ChatOpenAI

    limit: dict[str, Any] = (
        {"max_completion_tokens": settings.llm_max_tokens}
        if settings.llm_token_parameter == "max_completion_tokens"
        # ChatOpenAI renames max_tokens to max_completion_tokens, which servers that predate
        # it (llama.cpp's among them) ignore: send the old name in the body instead.
        else {"extra_body": {"max_tokens": settings.llm_max_tokens}}
    )
    model = ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=settings.llm_api_key,
        temperature=settings.llm_temperature,
        timeout=settings.llm_timeout_s,
        max_retries=0,
        streaming=True,
        **limit,
    )
    encoding = get_encoding(str(settings.data_dir / "cache" / "tiktoken"))
    return ChatBackend(
        model=model,
        name=settings.llm_model,  # not the URL: the name is shown to users
        count_tokens=lambda text: int(count_tokens(encoding, text) * TOKEN_MARGIN) + 1,
        context_tokens=settings.llm_context_tokens,
    )
