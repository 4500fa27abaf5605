"""What the apps above ``accounts`` contribute to an account's export and deletion.

``accounts`` owns the user and stands below every app that keeps something
for one; each of those registers its part here in its ``AppConfig.ready()``
(its ``contributions`` module), so this app never imports them.
"""

from __future__ import annotations

from apps.core.hooks import Hook

# fn(user) -> list of media file names that go with the account; asked before any row is deleted.
account_files = Hook("the files of an account")
# fn(user) -> dict of DeletedAccount fields: delete the app's rows of the account, in its transaction.
deleting_account = Hook("what goes with an account")
# fn(user, data) -> None: add the app's part to the account's export (``data`` is what the JSON holds).
exporting_account = Hook("an account's export")
