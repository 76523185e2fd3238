"""The payment panel: choose how the patient pays, take the payment, then the invoice.

Threading contract: GUI thread only. Every service call goes through the task runner's network
pool; news about open payments arrives from ``MonitorBridge`` as a queued signal, so closing this
panel or moving to the next patient never stops a payment from being watched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from pos_app.domain.account_methods import AccountMethods
from pos_app.domain.amount_limits import limit_problem
from pos_app.domain.bill import Bill
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.results import AttemptUpdate, CashResult, Settlement
from pos_app.services.counter import PaymentBackend
from pos_app.services.receipts import ReceiptService
from pos_app.ui.card_page import CardPage, KeyedCardOffPage, WalletPage
from pos_app.ui.choose_page import OFFLINE_TEXT, ChoosePage, is_offline
from pos_app.ui.errors import message_for
from pos_app.ui.monitor_bridge import MonitorBridge
from pos_app.ui.pay_pages import CashPage, PaidPage, read_amount
from pos_app.ui.payment_hold import hold_notice
from pos_app.ui.qr import prerender
from pos_app.ui.remote_page import RemotePage
from pos_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the payment services load on a worker after the window shows
    from pos_app.services.collect.inputs import CardDetails


class PaymentPanel(QWidget):
    """Choose → (cash | wallet | card | QR/link) → paid; the page follows the payment."""

    settled = Signal(object)  # Settlement
    finished = Signal()  # "Next patient": the counter is free for the next bill
    bill_changed = Signal(object)  # Bill, after any tender or payment change
    display_changed = Signal(object)  # AttemptUpdate | None, for the customer display
    problem = Signal(str)  # a service call failed; what the receptionist was told
    #: while the panel holds its bill: which bill, and what frees the counter ("" once free)
    hold_changed = Signal(str)
    notice = Signal(str)  # a key that does nothing now, and why (for the status bar)

    def __init__(
        self,
        runner: TaskRunner,
        receipts: ReceiptService,
        *,
        keyed_card_enabled: bool = False,
        wallet_sources: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._receipts = receipts
        self._backend: PaymentBackend | None = None
        self.bridge: MonitorBridge | None = None
        self.bill: Bill | None = None
        self.current: AttemptUpdate | None = None
        self.settlement: Settlement | None = None
        self._watching: str | None = None  # the attempt this panel started and shows
        self._starting = False  # a payment was asked for and is not on screen yet
        self._via_source = False  # how the last e-wallet started, for "Try again"
        self._standing_hint = ""  # about the counter, not a bill: kept across bills
        self._hold_text = ""
        self.pages = QStackedWidget()
        self._build_choose_page(keyed_card_enabled)
        self.cash = CashPage()
        self.wallets = WalletPage(sources=wallet_sources)
        # keyed card off: no card form exists at all, F3 says how cards are taken instead
        self.card = CardPage() if keyed_card_enabled else None
        self.card_off = KeyedCardOffPage()
        self.remote = RemotePage()
        self.paid = PaidPage(runner, receipts)
        for page in (self.cash, self.wallets, self.card or self.card_off, self.remote, self.paid):
            self.pages.addWidget(page)
        self._connect_pages()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.pages.currentChanged.connect(self._announce_hold)
        next_key = QShortcut(QKeySequence("F12"), self)
        next_key.activated.connect(self.press_next_patient)
        self.show_bill(None)

    def _build_choose_page(self, keyed_card_enabled: bool) -> None:
        page = self.choose_page = ChoosePage(keyed_card_enabled)
        self.amount_edit, self.summary, self.hint = page.amount_edit, page.summary, page.hint
        self.offline_notice = page.offline_notice
        self.cash_button, self.qrph_button = page.cash_button, page.qrph_button
        self.wallet_button, self.checkout_button = page.wallet_button, page.checkout_button
        self.keyed_button = page.keyed_button
        self.pages.addWidget(page)

    def _connect_pages(self) -> None:
        self.cash_button.clicked.connect(self._to_cash)
        self.qrph_button.clicked.connect(self.collect_qrph)
        self.wallet_button.clicked.connect(self._to_wallets)
        self.checkout_button.clicked.connect(lambda: self.start_method(TenderMethod.CHECKOUT))
        self.keyed_button.clicked.connect(self.show_card_form)
        self.cash.record.connect(self.record_cash)
        self.cash.back.connect(self.back_to_choose)
        self.wallets.chosen.connect(self._on_wallet)
        self.wallets.back.connect(self.back_to_choose)
        if self.card is not None:
            self.card.submitted.connect(self._charge_card)
            self.card.back.connect(self.back_to_choose)
        self.card_off.use_phone.connect(lambda: self.start_method(TenderMethod.CHECKOUT))
        self.card_off.back.connect(self.back_to_choose)
        self.remote.cancel.connect(self.cancel_payment)
        self.remote.again.connect(self.try_again)
        self.remote.back.connect(self.back_to_choose)
        self.remote.cash.connect(self._to_cash)
        self.paid.next_patient.connect(self.next_patient)
        self.choose_page.receipt_button.clicked.connect(self.print_acknowledgement)

    # -- state ----------------------------------------------------------------------------------

    def set_backend(self, backend: PaymentBackend | None, *, offline_reason: str = "") -> None:
        self._backend = backend
        if backend is not None and self.bridge is None:
            self.bridge = MonitorBridge(backend.monitor, self._runner, parent=self)
            self.bridge.updated.connect(self._on_update)
        if backend is not None:
            self._offer(backend.methods)
        self._standing_hint = (
            "" if backend else offline_reason or "Connecting to PayMongo… Cash works once ready."
        )
        self.hint.setText(self._standing_hint)
        self._enable_methods()

    def _offer(self, methods: AccountMethods) -> None:
        """Show only the ways of paying the clinic's PayMongo account has (its capabilities)."""
        self.choose_page.offer(methods, wallets=self.wallets.offer(methods))

    @property
    def backend(self) -> PaymentBackend | None:
        return self._backend

    @property
    def holds_bill(self) -> bool:
        """A payment is being taken or is open, or an invoice awaits "Next patient": this
        bill stays in view (a payment that closed unpaid lets the counter move on)."""
        page = self.pages.currentWidget()
        if self._starting or (self.current is not None and self.current.is_open):
            return True
        return page in (self.cash, self.card, self.paid)

    def _announce_hold(self) -> None:
        """Tell the window whenever what holds the counter changes (see ``hold_notice``)."""
        held = self.bill if self.holds_bill else None
        page = self.pages.currentWidget()
        form = page in (self.cash, self.card)
        text = (
            ""
            if held is None
            else hold_notice(held, starting=self._starting, paid=page is self.paid, form=form)
        )
        if text != self._hold_text:
            self._hold_text = text
            self.hold_changed.emit(text)

    def show_bill(self, bill: Bill | None) -> None:
        same_bill = (bill and bill.id) == (self.bill and self.bill.id)
        if same_bill and bill is not None and self.pages.currentWidget() is self.remote:
            # the same bill read again (the queue refreshed): how its payment ended stays on
            # screen, with Try again, until the receptionist moves on
            self.bill = bill
            return
        if not same_bill:
            self.hint.setText(self._standing_hint)  # messages belong to the bill they were about
        self.bill = bill
        self.current = None
        self.choose_page.show_bill(bill)
        self._enable_methods()
        self.pages.setCurrentWidget(self.choose_page)
        self.display_changed.emit(None)

    def back_to_choose(self) -> None:
        self.pages.setCurrentWidget(self.choose_page)
        self.amount_edit.setFocus()

    def focus_amount(self) -> None:
        """F5 "Collect": straight to the amount for the bill on screen."""
        if self.pages.currentWidget() is self.choose_page:
            self.amount_edit.setFocus()
            self.amount_edit.selectAll()

    def _enable_methods(self) -> None:
        payable = self.bill is not None and self.bill.accepts_payment
        # cash is recorded by the same service, so it waits for the backend too
        self.choose_page.set_methods_enabled(payable and self._backend is not None)

    def _amount(self) -> Money | None:
        text = self.amount_edit.text().strip()
        amount = read_amount(text) if text else "Type the amount to collect, e.g. 1,500.00"
        if isinstance(amount, str):
            self.hint.setText(amount)
            self.amount_edit.setFocus()
            return None
        return amount

    def _call(
        self, work: Callable[[PaymentBackend], object], on_success: Callable[[object], None]
    ) -> bool:
        backend = self._backend
        if backend is None:
            self.hint.setText("Kaha is still connecting. Try again in a moment.")
            return False
        self._runner.run_net(
            lambda: work(backend), on_success=on_success, on_failure=self._on_failure
        )
        return True

    # -- cash -----------------------------------------------------------------------------------

    def _to_cash(self) -> None:
        amount = self._amount()
        if amount is None or self.bill is None:
            return
        self.pages.setCurrentWidget(self.cash)
        self.cash.start(amount)

    def record_cash(self, tendered: Money) -> None:
        if self.bill is None:
            return
        bill_id, amount = self.bill.id, self.cash.amount
        self._call(lambda b: b.collect.pay_cash(bill_id, amount, tendered), self._on_cash)

    def _on_cash(self, result: object) -> None:
        assert isinstance(result, CashResult)
        self.bill_changed.emit(result.bill)
        if result.settlement is not None:
            self._show_paid(result.settlement, change_due=result.change_due)
            return
        self.show_bill(result.bill)
        self.hint.setText(
            f"Recorded {result.tender.amount} cash. Change {result.change_due}. "
            f"Balance now {result.bill.balance}."
        )

    def print_acknowledgement(self) -> None:
        """Ctrl+P on a part-paid bill: its last part payment's acknowledgement receipt."""
        if self.bill is None:
            return
        bill_id = self.bill.id
        self.hint.setText("Printing…")
        self._runner.run_net(
            lambda: self._receipts.print_latest_acknowledgement(bill_id),
            on_success=lambda text: self.hint.setText(str(text)),
            on_failure=lambda exc: self.hint.setText(message_for(exc) or ""),
        )

    # -- QR, links and cards --------------------------------------------------------------------

    def collect_qrph(self) -> None:
        self.start_method(TenderMethod.QRPH)

    def _to_wallets(self) -> None:
        if self._amount() is not None and self.bill is not None:
            self.pages.setCurrentWidget(self.wallets)

    def _on_wallet(self, method: TenderMethod) -> None:
        self.start_method(method, via_source=self.wallets.uses_sources(method))

    def show_card_form(self) -> None:
        amount = self._amount()
        if amount is None or self.bill is None:
            return
        if self.card is None:
            self.pages.setCurrentWidget(self.card_off)
            return
        self.pages.setCurrentWidget(self.card)
        self.card.start(f"{amount}")

    def start_method(self, method: TenderMethod, *, via_source: bool = False) -> None:
        amount = self._amount()
        if amount is None or self.bill is None:
            return
        problem = limit_problem(method, amount, via_source=via_source)
        if problem is not None:  # PayMongo would refuse it: say so, send nothing
            self.pages.setCurrentWidget(self.choose_page)
            self.hint.setText(problem)
            return
        bill_id = self.bill.id
        self._via_source = via_source

        def work(backend: PaymentBackend) -> AttemptUpdate:
            start = backend.collect.start_source if via_source else backend.collect.start
            return prerender(start(bill_id, method, amount))

        if self._call(work, self._on_started):
            self.pages.setCurrentWidget(self.choose_page)
            self.hint.setText(f"Preparing {method.label} for {amount}…")
            self.choose_page.set_methods_enabled(False)  # one payment at a time: no double start
            self._starting = True  # the queue waits: the QR will be this bill's
            self._announce_hold()

    def try_again(self) -> None:
        """The payment on screen closed unpaid: the same method, bill and amount again."""
        current = self.current
        if current is None or current.is_open or self.bill is None:
            return
        self.amount_edit.setText(current.attempt.amount.format().lstrip("₱"))
        if current.attempt.method is TenderMethod.CARD:
            self.show_card_form()
        else:
            self.start_method(current.attempt.method, via_source=self._via_source)

    def _charge_card(self, card: CardDetails) -> None:
        amount = self._amount()
        if amount is None or self.bill is None or self.card is None:
            return
        problem = limit_problem(TenderMethod.CARD, amount)
        if problem is not None:
            self.card.problem.setText(problem)
            return
        bill_id = self.bill.id
        self.card.amount_label.setText("Sending the card to PayMongo…")
        self._call(
            lambda b: prerender(b.collect.start_keyed_card(bill_id, amount, card)),
            self._on_started,
        )

    def _on_started(self, update: object) -> None:
        assert isinstance(update, AttemptUpdate)
        self._starting = False
        self._enable_methods()
        self.hint.setText("")
        self.offline_notice.setVisible(False)
        if self.bridge is not None:
            self.bridge.track(update)
        self._watching = update.attempt.id
        self._on_update(update)

    def cancel_payment(self) -> None:
        current = self.current
        if current is None or not current.is_open:
            return
        attempt_id = current.attempt.id
        self.remote.show_problem("Cancelling…")
        self._call(lambda b: b.collect.cancel(attempt_id), self._on_cancelled)

    def _on_cancelled(self, update: object) -> None:
        assert isinstance(update, AttemptUpdate)
        self._on_update(update)

    def _on_update(self, update: AttemptUpdate) -> None:
        self.bill_changed.emit(update.bill)
        if update.attempt.id != self._watching:
            return  # news about an earlier patient's payment: the queue shows it
        self.current = update
        if update.settlement is not None:
            self._show_paid(update.settlement)
            return
        if self.bill is not None and update.bill.id == self.bill.id:
            self.bill = update.bill
        self.display_changed.emit(update)
        self.remote.show_update(update)
        self.pages.setCurrentWidget(self.remote)
        self._announce_hold()

    # -- paid -----------------------------------------------------------------------------------

    def _show_paid(self, settlement: Settlement, *, change_due: Money | None = None) -> None:
        self.remote.stop()
        self.settlement = settlement
        self.bill = settlement.bill
        self.current = None
        self._watching = None
        self.paid.show_settlement(settlement, change_due=change_due)
        self.pages.setCurrentWidget(self.paid)
        self.settled.emit(settlement)

    def stop_timers(self) -> None:
        if self.bridge is not None:
            self.bridge.stop()
        self.remote.stop()

    def press_next_patient(self) -> None:
        """F12: the next patient, unless a payment holds this bill; then say why not."""
        if self.pages.currentWidget() is not self.paid and self.holds_bill:
            why = f"Next patient (F12) waits. {self._hold_text}"
            if self.pages.currentWidget() is self.remote:
                self.remote.next_step.setText(why)
            number = self.bill.number if self.bill is not None else ""
            self.notice.emit(f"Next patient (F12) waits: bill {number} is still being paid.")
            return
        self.next_patient()

    def next_patient(self) -> None:
        self.settlement = None
        self.current = None
        self._watching = None
        self.remote.stop()
        self.show_bill(None)
        self.finished.emit()

    def _on_failure(self, exc: BaseException) -> None:
        self._starting = False
        self._announce_hold()
        offline = is_offline(exc)
        text = OFFLINE_TEXT if offline else message_for(exc) or ""
        self._show_problem(text, offline=offline)
        self.problem.emit(text)  # last: a listener may move the panel on

    def _show_problem(self, text: str, *, offline: bool) -> None:
        self._enable_methods()
        self.offline_notice.setVisible(offline)
        self.cash.record_button.setEnabled(True)
        if self.pages.currentWidget() is self.remote and self.current is not None:
            self.remote.show_problem(text)
            return
        if self.card is not None and self.pages.currentWidget() is self.card:
            self.card.problem.setText(text)
            return
        self.pages.setCurrentWidget(self.choose_page)
        self.hint.setText("" if offline else text)
