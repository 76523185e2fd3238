"""The queue's rows with their column titles, for screen readers; set once the window is up.

Qt's accessibility names a table cell's column from the table's own model (``headerData``), not
from its header. The bills' model cannot answer that before the first paint: Qt asks it at once,
with a ``Qt.Orientation``, and converting that builds all of PySide's ``Qt`` enums (~40 ms, see
``bill_queue``). So the window is drawn with the titles on the header alone, and afterwards
(``BillQueueView.name_columns``) the table is given this pass-through model over the same rows.
"""

from __future__ import annotations

from PySide6.QtCore import QIdentityProxyModel, QObject, Qt

COLUMN_TITLES_ROLES = (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole)


class TitledRows(QIdentityProxyModel):
    """The same rows, cells and signals as the model it wraps, plus the column titles."""

    def __init__(self, titles: tuple[str, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._titles = titles

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role in COLUMN_TITLES_ROLES
            and 0 <= section < len(self._titles)
        ):
            return self._titles[section]
        return super().headerData(section, orientation, role)
