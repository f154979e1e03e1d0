def test_accept_language_chooses_the_language(client, entrance_code):
    zh = client.get(f"/q/{entrance_code.token}", headers={"Accept-Language": "zh-TW,zh;q=0.8"})
    en = client.get(f"/q/{entrance_code.token}", headers={"Accept-Language": "en-US"})
    assert 'lang="zh-CN"' in zh.get_data(as_text=True)
    assert "我要报事" in zh.get_data(as_text=True)
    assert 'lang="en"' in en.get_data(as_text=True)
    assert "Report a problem" in en.get_data(as_text=True)


def test_default_language_is_chinese(client, entrance_code):
    page = client.get(f"/q/{entrance_code.token}", headers={"Accept-Language": "fr"})
    assert 'lang="zh-CN"' in page.get_data(as_text=True)


def test_switch_sets_a_cookie_and_returns_to_the_page(client, entrance_code):
    here = f"/q/{entrance_code.token}"
    page = client.get(here, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert f"/lang/en?next={here}" in page or f"/lang/en?next={here.replace('/', '%2F')}" in page
    switched = client.get(f"/lang/en?next={here}", headers={"Accept-Language": "zh-CN"})
    assert switched.status_code == 303 and switched.headers["Location"] == here
    after = client.get(here, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert 'lang="en"' in after and "Report a problem" in after


def test_category_names_follow_the_language(client, entrance_code):
    url = f"/q/{entrance_code.token}/report"
    assert "Water and drains" in client.get(url, headers={"Accept-Language": "en"}).text
    assert "水电 · 上下水" in client.get(url, headers={"Accept-Language": "zh"}).text


def test_switch_never_redirects_off_site(client):
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"):
        response = client.get("/lang/en", query_string={"next": target})
        assert response.headers["Location"] == "/"
