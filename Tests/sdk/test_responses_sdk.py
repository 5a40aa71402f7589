"""The official openai Python SDK's Responses API (`client.responses`) pointed at a running Keel,
each answer and stream event also checked against the SDK's own published types."""

import json

import openai
import pytest
from conftest import sse_events
from openai.types.responses import Response, ResponseStreamEvent
from pydantic import TypeAdapter

WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}
EVENTS = TypeAdapter(ResponseStreamEvent)


@pytest.fixture
def client(keel):
    return openai.OpenAI(base_url=keel["base_url"], api_key=keel["key"], max_retries=0)


def count(keel, n=1):
    keel["sent"] += n


def create(client, **body):
    """Creates a response, checking the raw answer against the SDK's `Response` type."""
    raw = client.responses.with_raw_response.create(model="gpt-4o-mini", **body)
    Response.model_validate(raw.http_response.json())
    return raw.parse()


def test_create(client, keel):
    count(keel)
    response = create(client, input="Hello", instructions="Be brief.", max_output_tokens=50, metadata={"team": "sdk"})
    assert response.object == "response" and response.status == "completed"
    assert response.id.startswith("resp_")
    assert len(response.output_text.split()) == 10
    assert response.instructions == "Be brief." and response.metadata == {"team": "sdk"}
    assert response.usage.output_tokens == 10
    assert response.usage.total_tokens == response.usage.input_tokens + 10


def test_stream(client, keel):
    count(keel)
    deltas = []
    with client.responses.stream(model="gpt-4o-mini", input="Hello") as stream:
        for event in stream:
            if event.type == "response.output_text.delta":
                deltas.append(event.delta)
        final = stream.get_final_response()
    assert final.status == "completed"
    assert final.output_text == "".join(deltas)
    assert len(deltas) == 10
    assert client.responses.retrieve(final.id).output_text == final.output_text


def test_stream_events_on_the_wire_have_openais_types(keel):
    count(keel)
    body = {"model": "gpt-4o-mini", "input": "Weather?", "tools": [WEATHER], "stream": True}
    events = sse_events(keel["base_url"] + "/responses", body, {"Authorization": "Bearer " + keel["key"]})
    for name, data in events:
        event = EVENTS.validate_json(data)
        assert event.type == name
    assert [event.sequence_number for event in map(EVENTS.validate_json, (data for _, data in events))] == list(range(len(events)))


def test_a_conversation_continues_from_its_latest_response_and_is_kept(client, keel):
    count(keel, 3)
    first = create(client, input="My name is Ada.")
    second = create(client, input="What is my name?", previous_response_id=first.id)
    assert second.previous_response_id == first.id
    # The stored turn is sent again: the second response's input holds the first exchange.
    assert second.usage.input_tokens > first.usage.input_tokens + first.usage.output_tokens
    assert client.responses.retrieve(first.id).output_text == first.output_text
    with pytest.raises(openai.BadRequestError) as stale:
        create(client, input="Again?", previous_response_id=first.id)
    assert stale.value.param == "previous_response_id"
    assert client.responses.delete(second.id) is None
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(second.id)


def test_a_function_call_and_its_output(client, keel):
    count(keel, 2)
    called = create(client, input="What is the weather in Paris?", tools=[WEATHER])
    call = next(item for item in called.output if item.type == "function_call")
    assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "simulated"}
    answered = create(
        client,
        previous_response_id=called.id,
        tools=[WEATHER],
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "Sunny, 21 C"}],
    )
    assert answered.status == "completed" and answered.output_text


def test_a_streamed_function_call(client, keel):
    count(keel)
    with client.responses.stream(model="gpt-4o-mini", input="Weather?", tools=[WEATHER], store=False) as stream:
        kinds = [event.type for event in stream]
        final = stream.get_final_response()
    assert kinds[:3] == ["response.created", "response.in_progress", "response.output_item.added"]
    assert "response.function_call_arguments.delta" in kinds and kinds[-1] == "response.completed"
    assert final.output[0].type == "function_call" and json.loads(final.output[0].arguments) == {"city": "simulated"}
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(final.id)


def test_built_in_tools_are_refused_by_name(client, keel):
    count(keel)
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(model="gpt-4o-mini", input="Search", tools=[{"type": "web_search"}])
    assert "web_search" in refused.value.message and refused.value.param == "tools.0.type"
