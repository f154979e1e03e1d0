"""Discovery and the page for developers; what every endpoint shares: the error list for odd
parameters, reading open to other sites."""

import re

import pytest

from tests.open311.helpers import V2, errors_of, json_of, post, tags, xml_of


def test_discovery_in_both_formats_links_the_developer_page(client, demo):
    data = json_of(client.get(f"{V2}/discovery.json"))
    assert set(data) == {"changeset", "contact", "key_service", "endpoints"}
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2") and endpoint["type"] == "production"
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert "/open311" in data["key_service"] and "0351-7654321" in data["contact"]

    root = xml_of(client.get(f"{V2}/discovery.xml"))
    assert root.tag == "discovery"
    assert tags(root) == ["changeset", "contact", "key_service", "endpoints"]
    xml_endpoint = root.find("endpoints/endpoint")
    assert tags(xml_endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert [f.text for f in xml_endpoint.find("formats")] == ["text/xml", "application/json"]
    assert client.get("/open311").status_code == 200


def test_the_developer_page_has_no_inline_code(client, demo):
    html = client.get("/open311").get_data(as_text=True)
    assert "discovery.xml" in html and "address_string" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", html)


@pytest.mark.parametrize("url", [
    f"{V2}/requests.json?jurisdiction_id=bayi&page=²",
    f"{V2}/requests.json?jurisdiction_id=bayi&page_size=99999999999999999999",
    f"{V2}/requests.json?jurisdiction_id=bayi&page=99999999999999999999",
    f"{V2}/services/booking-².json",
    f"{V2}/requests.json?jurisdiction_id=bayi&service_code=wa%00ter",
    f"{V2}/requests/2026%00.xml",
    f"{V2}/tokens/a%00b.json",
])
def test_odd_parameters_get_an_error_list_not_a_500(client, demo, url):
    response = client.get(url)
    assert response.status_code in (400, 404)
    ext = "xml" if ".xml" in url else "json"
    assert errors_of(response, ext)[0][0] in (400, 404)


def test_reading_is_open_to_browser_apps_of_other_sites(client, key):
    response = client.get(f"{V2}/services.json?jurisdiction_id=bayi")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in post(client, api_key=key).headers
