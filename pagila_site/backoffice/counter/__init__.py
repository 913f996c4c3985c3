"""The counter: the back-office page of the clerk at the desk, made for a keyboard and a barcode
scanner (which types an id and presses Enter).

A visit: find a customer of one's stores (an exact id opens them at once), see their balance,
whether the block rule keeps them from renting and why, open rentals (overdue first, with the fee
so far), recent payments and holds, scan copies out (a manager past a block, giving a reason) and
in (backdated for the drop box; a copy set aside for a hold says for whom, with its hold slip),
mark a copy damaged, lost, withdrawn or good again, take payment, place or cancel a hold, print a
receipt, move on to the next customer. Beside the visits: a store's hold shelf, and the transfers
page, where a copy arriving is received by one scan. Every write goes through
``rentals.services`` (holds and transfers: ``rentals.holds``, ``rentals.transfers``; a copy's
condition: ``rentals.copies``), as the API's and the admin's do, with the signed-in user's scope;
each form posts, and the answer redirects back to the page with the cursor in the box for the next
scan (POST-redirect-GET, so a reload never rents twice).

What happened during the visit (each copy scanned, rented, returned or refused, and why) is kept
in the session, so a refusal stays next to the copy it concerns while the other scans go through.
A visit lasts until the clerk opens another customer or ends it.

Where each part lives (the templates are ``templates/counter/``):

- ``urls.py``: the URLs under ``/admin/counter/`` (``Counter(site).urls()``, mounted by the
  back-office site);
- ``views.py``: the pages, which check who may, parse the form, run the steps and redirect;
- ``permissions.py``: who may use the counter, and which permission each kind of write needs;
- ``forms.py``: what the clerk types or scans, read into ids, amounts, a condition, a reason and
  a time;
- ``visit.py``: the visit kept in the session, and the shape of its events;
- ``steps.py``: what one step of a visit does (a copy checked out or in, a payment taken, a
  copy's condition marked), through the services, answered as the visit's event;
- ``receipts.py``: a visit's receipt, read back from the database;
- ``hold_views.py``: the pages of holds and transfers (placing, cancelling, the hold slip, the
  hold shelf, sending and receiving), each write through ``rentals.holds`` or
  ``rentals.transfers``;
- ``holds.py``: what those pages read (a customer's holds, a shelf, a slip, the transfers in
  transit, the stores a desk chooses among, the film a title names).
"""
