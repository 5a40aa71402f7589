"""The official openai Python SDK pointed at a running Keel."""

import openai
import pytest


@pytest.fixture
def client(keel):
    return openai.OpenAI(base_url=keel["base_url"], api_key=keel["key"], max_retries=0)


def count(keel, n=1):
    keel["sent"] += n


def test_chat(client, keel):
    count(keel)
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Hello"}],
        max_tokens=50,
        seed=3,
        metadata={"team": "sdk"},
    )
    assert reply.object == "chat.completion"
    assert reply.choices[0].message.role == "assistant"
    assert len(reply.choices[0].message.content.split()) == 10
    assert reply.choices[0].finish_reason == "stop"
    assert reply.usage.completion_tokens == 10
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + 10


def test_streaming_with_usage(client, keel):
    count(keel)
    stream = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "Hello"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert len(text.split()) == 10
    assert chunks[-1].choices == []
    assert chunks[-1].usage.completion_tokens == 10
    assert all(c.usage is None for c in chunks[:-1])


def test_streaming_without_usage(client, keel):
    count(keel)
    chunks = list(
        client.chat.completions.create(
            model="gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], stream=True
        )
    )
    assert all(c.choices for c in chunks)
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_models(client):
    ids = [model.id for model in client.models.list()]
    assert ids == ["gpt-4o-mini", "text-embedding-3-small"]
    assert client.models.retrieve("gpt-4o-mini").id == "gpt-4o-mini"


def test_embeddings(client, keel):
    count(keel)
    result = client.embeddings.create(model="text-embedding-3-small", input=["a", "b"])
    assert len(result.data) == 2
    assert len(result.data[0].embedding) > 0


def test_a_key_created_by_the_cli_works_at_once(keel):
    count(keel)
    client = openai.OpenAI(base_url=keel["base_url"], api_key=keel["cli_key"], max_retries=0)
    assert client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}]).choices


def test_authentication_error(keel):
    count(keel)
    bad = openai.OpenAI(base_url=keel["base_url"], api_key="sk-keel-wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as raised:
        bad.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "x"}])
    assert raised.value.status_code == 401
    assert raised.value.code == "invalid_api_key"


def test_errors_carry_openai_codes(client, keel):
    count(keel, 2)
    with pytest.raises(openai.NotFoundError) as missing:
        client.chat.completions.create(model="gpt-9", messages=[{"role": "user", "content": "x"}])
    assert missing.value.code == "model_not_found"
    with pytest.raises(openai.BadRequestError) as invalid:
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "wizard", "content": "x"}])
    assert invalid.value.param == "messages.0.role"
