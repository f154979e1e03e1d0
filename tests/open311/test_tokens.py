"""GET tokens/<token>: the token a client was given finds its request."""

from tests.open311.helpers import PLACE, V2, errors_of, json_of, post, tags, xml_of


def test_tokens_resolve_to_the_request(client, key):
    response = post(client, api_key=key, service_code="water", address_string=PLACE)
    number = json_of(response)[0]["service_request_id"]
    token = response.headers["X-Open311-Token"]
    assert len(token) >= 20
    assert json_of(client.get(f"{V2}/tokens/{token}.json")) == \
        [{"service_request_id": number, "token": token}]
    root = xml_of(client.get(f"{V2}/tokens/{token}.xml"))
    assert root.tag == "service_requests"
    assert tags(root.find("request")) == ["service_request_id", "token"]
    assert root.findtext("request/service_request_id") == number
    unknown = client.get(f"{V2}/tokens/nothing-like-it.xml")
    assert unknown.status_code == 404 and errors_of(unknown, "xml")[0][0] == 404
