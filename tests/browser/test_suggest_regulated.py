"""Ticking the rules a sector suggests, as the visitor picks the sector (JavaScript enhancement)."""


def checked(page) -> list[str]:
    return page.eval_on_selector_all(
        "input[name=regulated]:checked", "boxes => boxes.map(b => b.value)"
    )


def test_the_sector_ticks_the_suggested_rules_until_the_visitor_chooses(page, live_server):
    page.goto(live_server + "/")
    page.click("text=Commencer le diagnostic")
    page.wait_for_selector("input[name=sector]")
    page.check("input[name=sector][value=drinks]")
    assert checked(page) == ["alcohol"]
    page.check("input[name=sector][value=retail]")
    assert checked(page) == []
    page.check("input[name=sector][value=health_care]")
    assert checked(page) == ["health"]
    page.uncheck("input[name=regulated][value=health]")
    page.check("input[name=regulated][value=none]")
    page.check("input[name=sector][value=drinks]")
    assert checked(page) == ["none"]  # the visitor's own choice is never overwritten
