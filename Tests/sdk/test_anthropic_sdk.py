"""The official anthropic Python SDK (`client.messages`) pointed at a running Keel, each answer and
stream event also checked against the SDK's own published types."""

import anthropic
import pytest
from conftest import sse_events
from anthropic.types import Message, RawMessageStreamEvent
from pydantic import TypeAdapter

WEATHER = {
    "name": "get_weather",
    "description": "The weather in a city.",
    "input_schema": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
EVENTS = TypeAdapter(RawMessageStreamEvent)


@pytest.fixture
def client(keel):
    base = keel["base_url"].removesuffix("/v1")
    return anthropic.Anthropic(base_url=base, api_key=keel["key"], max_retries=0)


def count(keel, n=1):
    keel["sent"] += n


def create(client, **body):
    """Creates a message, checking the raw answer against the SDK's `Message` type."""
    raw = client.messages.with_raw_response.create(model="gpt-4o-mini", max_tokens=100, **body)
    Message.model_validate(raw.http_response.json())
    return raw.parse()


def test_create(client, keel):
    count(keel)
    message = create(client, system="Be brief.", messages=[{"role": "user", "content": "Hello"}])
    assert message.type == "message" and message.role == "assistant"
    assert message.id.startswith("msg_")
    assert len(message.content[0].text.split()) == 10
    assert message.stop_reason == "end_turn"
    assert message.usage.output_tokens == 10 and message.usage.input_tokens > 0


def test_stream(client, keel):
    count(keel)
    with client.messages.stream(model="gpt-4o-mini", max_tokens=100, messages=[{"role": "user", "content": "Hello"}]) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert len(text.split()) == 10 and final.content[0].text == text
    assert final.stop_reason == "end_turn" and final.usage.output_tokens == 10


def test_stream_events_on_the_wire_have_anthropics_types(keel):
    count(keel)
    body = {"model": "gpt-4o-mini", "max_tokens": 100, "stream": True, "tools": [WEATHER], "messages": [{"role": "user", "content": "Hi"}]}
    events = sse_events(keel["base_url"] + "/messages", body, {"x-api-key": keel["key"], "anthropic-version": "2023-06-01"})
    kinds = []
    for name, data in events:
        event = EVENTS.validate_json(data) if name != "ping" else None
        assert event is None or event.type == name
        kinds.append(name)
    assert kinds[:2] == ["message_start", "ping"] and kinds[-2:] == ["message_delta", "message_stop"]


def test_a_tool_use_and_its_result(client, keel):
    count(keel, 2)
    asked = [{"role": "user", "content": "What is the weather in Paris?"}]
    called = create(client, tools=[WEATHER], messages=asked)
    assert called.stop_reason == "tool_use"
    use = next(block for block in called.content if block.type == "tool_use")
    assert use.name == "get_weather" and use.input == {"city": "simulated"}
    answered = create(
        client,
        tools=[WEATHER],
        messages=asked
        + [
            {"role": "assistant", "content": [block.model_dump(exclude_unset=True) for block in called.content]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": use.id, "content": "Sunny, 21 C"}]},
        ],
    )
    assert answered.stop_reason == "end_turn" and answered.content[0].text


def test_a_streamed_tool_use(client, keel):
    count(keel)
    with client.messages.stream(model="gpt-4o-mini", max_tokens=100, tools=[WEATHER], messages=[{"role": "user", "content": "Weather?"}]) as stream:
        final = stream.get_final_message()
    assert final.stop_reason == "tool_use"
    assert final.content[0].type == "tool_use" and final.content[0].input == {"city": "simulated"}


def test_count_tokens(client):
    counted = client.messages.count_tokens(model="gpt-4o-mini", messages=[{"role": "user", "content": "Hello there"}])
    assert counted.input_tokens > 0


def test_errors_have_anthropics_shape(client, keel):
    count(keel, 2)
    bad = anthropic.Anthropic(base_url=keel["base_url"].removesuffix("/v1"), api_key="sk-keel-wrong", max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as refused:
        bad.messages.create(model="gpt-4o-mini", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert refused.value.body["error"]["type"] == "authentication_error"
    with pytest.raises(anthropic.NotFoundError) as missing:
        client.messages.create(model="claude-9", max_tokens=10, messages=[{"role": "user", "content": "x"}])
    assert missing.value.body["type"] == "error" and missing.value.body["error"]["type"] == "not_found_error"
