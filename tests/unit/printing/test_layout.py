"""The text layout never runs past the paper, and the preview matches what the printer gets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pos_app.domain.money import Money
from pos_app.printing.document import (
    Align,
    ItemRow,
    MoneyRow,
    QrBlock,
    ReceiptDocument,
    RuleBlock,
    SpacerBlock,
    TextBlock,
    TextSize,
    TitleBlock,
)
from pos_app.printing.layout import COLUMNS_58MM, COLUMNS_80MM, format_money, lay_out, render_text

words = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "N", "P", "Zs", "Cc"]), max_size=120
)
amounts = st.builds(Money, st.integers(min_value=0, max_value=10_000_000_000))
blocks = st.one_of(
    st.builds(TitleBlock, words),
    st.builds(TextBlock, words, st.sampled_from(Align), st.booleans(), st.sampled_from(TextSize)),
    st.builds(MoneyRow, words, amounts, st.booleans(), st.integers(0, 8)),
    st.builds(ItemRow, words, st.integers(0, 999), amounts, amounts),
    st.builds(RuleBlock, st.sampled_from(["-", "=", "_"])),
    st.builds(SpacerBlock, st.integers(0, 3)),
    st.builds(QrBlock, words, words),
)


@settings(max_examples=150, deadline=None)
@given(
    document=st.builds(ReceiptDocument, st.lists(blocks, max_size=12).map(tuple)),
    width=st.sampled_from([COLUMNS_58MM, 42, COLUMNS_80MM]),
)
def test_text_never_exceeds_the_paper_width(document: ReceiptDocument, width: int) -> None:
    for line in render_text(document, width).split("\n"):
        assert len(line) <= width, line
    for laid_out in lay_out(document, columns=width):
        limit = width // 2 if laid_out.size is TextSize.LARGE else width
        assert len(laid_out.text) <= limit


def test_money_row_puts_the_amount_flush_right() -> None:
    text = render_text(ReceiptDocument((MoneyRow("TOTAL", Money(150000)),)), COLUMNS_58MM)

    assert text == "TOTAL" + " " * 18 + "₱1,500.00\n"


def test_long_label_wraps_and_keeps_the_amount_on_its_last_line() -> None:
    row = MoneyRow("Less: a very long discount description that cannot fit", Money(20000))

    lines = render_text(ReceiptDocument((row,)), COLUMNS_58MM).splitlines()

    assert len(lines) == 3
    assert lines[-1].startswith("that cannot fit ")
    assert lines[-1].endswith("₱200.00")
    assert all(len(line) <= COLUMNS_58MM for line in lines)


def test_large_text_wraps_at_half_the_columns() -> None:
    lines = lay_out(ReceiptDocument((TitleBlock("OFFICIAL INVOICE COPY"),)), columns=COLUMNS_58MM)

    assert [line.text for line in lines] == ["OFFICIAL INVOICE", "COPY"]
    assert all(line.bold and line.size is TextSize.LARGE for line in lines)


def test_control_characters_never_reach_the_paper() -> None:
    document = ReceiptDocument((TextBlock("Maria\x1b@\x1dV\x00 Santos"),))

    assert render_text(document, COLUMNS_58MM) == "Maria@V Santos\n"


def test_peso_sign_can_be_replaced_for_printers_without_it() -> None:
    item = ItemRow("Cleaning", 2, Money(75000), Money(150000))

    text = render_text(ReceiptDocument((item,)), COLUMNS_58MM, peso_sign="P")

    assert "₱" not in text
    assert "2 x P750.00" in text
    assert text.splitlines()[-1].endswith("P1,500.00")
    assert format_money(Money(5), "PHP ") == "PHP 0.05"
