"""Growing holds and transfers with the grown rentals (``rentals.growth`` runs it, in its transaction).

How many: a hold for one rental in 20 and a transfer for one in 100 (HOLDS_PER_RENTAL,
TRANSFERS_PER_RENTAL): 81,286 holds and 15,959 transfers at 100x. Most of a chain's rentals
are walk-ins; a hold is asked for a film that is out, and a store sends a copy to another only now
and then, so both stay a small share of the history, yet big enough lists (tens of thousands of
rows) that reading one whole would show in a benchmark.

What they are, by the database's rules (``Hold.Meta.constraints``, ``Transfer.Meta.constraints``)
and by the services' (``rentals.holds``, ``rentals.transfers``), at ``until`` as "now":

- history, from gaps between two grown rentals of a copy (the copy back on its shelf, then rented
  again), each gap used at most once, by a hold or by transfers:
  - fulfilled holds (60 % of the history's): the next rental's customer held the film at the
    copy's store; the copy was set aside when it came back (the hold had waited up to 10 days) or,
    after a longer gap, at once when the hold was placed, and rented within the HOLD_READY_DAYS it
    was kept;
  - cancelled (22 %, while waiting) and expired (18 %) holds of any active customer signed up by
    then, near that rental; they name no copy (the database clears it), so none is claimed;
  - transfers received (90 % of all), as a round trip within the gap: sent to another
    store holding copies, received there, sent back and received again before the next rental.
    The grown rentals of a copy are all served at its own store (``rentals.growth``), so a copy
    only ever visits; cancelled transfers (7 %) never left.
- now: ready holds (1 % of the holds) on copies on their shelf at ``until`` (no open rental),
  ready within the last two days so not expired yet; in-transit transfers (3 % of the transfers)
  of other such copies, sent within the last three days: one of either per copy at most. Waiting
  holds (6 % of the holds) queue only for a film none of whose copies at that store is free on the shelf (else
  the hold would have been ready at once), placed within the last 30 days. A customer holds a
  film once while waiting or ready: a draw that repeats one is dropped.

Every random choice is ``pg_temp.grow_u`` of the seed and the row's key, as in ``rentals.growth``;
ids are numbered in ``created`` (``sent_at``) order after those already there. It reads the
staging tables ``rentals.growth`` leaves: ``grow_rental``, ``grow_staff``, ``grow_customer`` and
``grow_day``.
"""

from __future__ import annotations

import psycopg

HOLDS_PER_RENTAL = 1 / 20
TRANSFERS_PER_RENTAL = 1 / 100
WAITING_SHARE, READY_SHARE = 0.06, 0.01
IN_TRANSIT_SHARE, CANCELLED_TRANSFER_SHARE = 0.03, 0.07
# settings.HOLD_READY_DAYS's default: how long a ready hold keeps its copy.
HOLD_READY_DAYS = 3

# A gap is a grown rental and the return of the rental of its copy before it (``back_at``). Its
# draw ``u`` says what it is used for: below hold_rate a hold, then below hold_rate +
# transfer_rate transfers, else nothing, so a copy set aside is never travelling.
GAPS = """
CREATE TEMP TABLE grow_gap ON COMMIT DROP AS
SELECT * FROM (
    SELECT rental_id, rental_date, inventory_id, customer_id, store_id,
           lag(return_date) OVER (PARTITION BY inventory_id ORDER BY rental_date) AS back_at,
           pg_temp.grow_u(%(seed)s, rental_id, 30) AS u
    FROM grow_rental
) g
WHERE back_at IS NOT NULL
"""

# History: kind < 0.6 fulfilled, < 0.82 cancelled, else expired.
PAST_HOLDS = """
CREATE TEMP TABLE grow_hold ON COMMIT DROP AS
WITH picked AS (
    SELECT g.*, i.film_id, c.create_date AS renter_since,
           pg_temp.grow_u(%(seed)s, g.rental_id, 31) AS kind,
           pg_temp.grow_u(%(seed)s, g.rental_id, 32) AS u1,
           pg_temp.grow_u(%(seed)s, g.rental_id, 33) AS u2,
           g.rental_date - g.back_at <= make_interval(days => %(ready_days)s) AS came_back_lately
    FROM grow_gap g
    JOIN inventory i USING (inventory_id)
    JOIN customer c USING (customer_id)
    WHERE g.u < %(hold_rate)s
), timed AS (
    SELECT p.*,
           CASE WHEN kind < 0.6 THEN
                    CASE WHEN came_back_lately THEN back_at
                         ELSE rental_date - make_interval(secs => u1 * 86400 * %(ready_days)s) END
                WHEN kind >= 0.82 THEN
                    rental_date - make_interval(secs => (%(ready_days)s + 2 * u1) * 86400)
           END AS ready_at,
           CASE WHEN kind >= 0.6 AND kind < 0.82 THEN rental_date - make_interval(secs => u1 * 86400 * 20)
           END AS cancelled_from
    FROM picked p
), placed AS (
    SELECT t.*,
           date_trunc('second', CASE
               WHEN kind < 0.6 THEN least(ready_at, greatest(
                   CASE WHEN came_back_lately THEN ready_at - make_interval(secs => u2 * 86400 * 10)
                        ELSE ready_at END,
                   renter_since, %(start)s))
               WHEN kind < 0.82 THEN greatest(cancelled_from, %(start)s)
               ELSE least(ready_at, greatest(ready_at - make_interval(secs => u2 * 86400 * 10), %(start)s))
           END) AS created
    FROM timed t
)
SELECT p.rental_id AS key,
       CASE WHEN p.kind < 0.6 THEN p.customer_id ELSE cu.customer_id END AS customer_id,
       p.film_id, p.store_id,
       CASE WHEN p.kind < 0.6 THEN 'fulfilled' WHEN p.kind < 0.82 THEN 'cancelled' ELSE 'expired' END
           AS status,
       p.created,
       date_trunc('second', p.ready_at) AS ready_at,
       date_trunc('second', p.ready_at + make_interval(days => %(ready_days)s)) AS expires_at,
       CASE WHEN p.kind < 0.6 THEN p.inventory_id END AS inventory_id,
       CASE WHEN p.kind < 0.6 THEN p.rental_id END AS rental_id,
       date_trunc('second', CASE
           WHEN p.kind < 0.6 THEN p.rental_date
           WHEN p.kind < 0.82 THEN least(%(until)s, p.created + make_interval(secs => p.u2 * 86400 * 5))
           -- The hold worker's round: within a minute of expires_at.
           ELSE p.ready_at + make_interval(days => %(ready_days)s, secs => p.u2 * 60)
       END) AS closed_at
FROM placed p
JOIN grow_day d ON d.day = p.created::date
JOIN grow_customer cu ON cu.rank = floor(pg_temp.grow_u(%(seed)s, p.rental_id, 34) * d.customers)::int
"""

# Copies on their store's shelf at ``until``, in a random order: the first ``ready`` are set
# aside, the next ``in_transit`` travel (``n`` is 1-based).
SHELF = """
CREATE TEMP TABLE grow_shelf ON COMMIT DROP AS
SELECT i.inventory_id, i.film_id, i.store_id, coalesce(back.at, %(start)s) AS back_at,
       row_number() OVER (ORDER BY pg_temp.grow_u(%(seed)s, i.inventory_id, 35), i.inventory_id) AS n
FROM inventory i
LEFT JOIN (SELECT inventory_id, max(return_date) AS at FROM rental GROUP BY inventory_id) back
    USING (inventory_id)
WHERE i.store_id IN (SELECT store_id FROM grow_staff)
  AND NOT EXISTS (SELECT 1 FROM rental r WHERE r.inventory_id = i.inventory_id AND r.return_date IS NULL)
  AND NOT EXISTS (SELECT 1 FROM hold h WHERE h.inventory_id = i.inventory_id AND h.status = 'ready')
  AND NOT EXISTS (
      SELECT 1 FROM transfer t WHERE t.inventory_id = i.inventory_id AND t.status = 'in_transit')
"""

# Open holds: ready ones on the first copies of the shelf, waiting ones for (store, film) pairs
# with no copy left free on the shelf. The customer of each is drawn among the active ones signed
# up ten days before ``until`` (ready) or by the day the hold was placed (waiting).
OPEN_HOLDS = """
CREATE TEMP TABLE grow_open_hold ON COMMIT DROP AS
WITH ready AS (
    SELECT s.*,
           date_trunc('second', greatest(s.back_at, %(until)s
               - make_interval(secs => pg_temp.grow_u(%(seed)s, s.inventory_id, 36) * 86400 * 2)))
               AS ready_at
    FROM grow_shelf s WHERE s.n <= %(ready)s
), free AS (
    SELECT DISTINCT store_id, film_id FROM grow_shelf WHERE n > %(ready)s + %(in_transit)s
), queues AS (
    SELECT s.store_id, f.film_id, (row_number() OVER (ORDER BY s.store_id, f.film_id) - 1)::int AS k
    FROM (SELECT DISTINCT store_id FROM grow_staff) s
    CROSS JOIN film f
    WHERE NOT EXISTS (SELECT 1 FROM free WHERE free.store_id = s.store_id AND free.film_id = f.film_id)
), waiting AS (
    SELECT g, q.store_id, q.film_id,
           date_trunc('second', %(until)s
               - make_interval(secs => pg_temp.grow_u(%(seed)s, g, 37) * 86400 * 30)) AS created
    FROM generate_series(1, %(waiting)s) g
    JOIN queues q ON q.k = floor(pg_temp.grow_u(%(seed)s, g, 38) * (SELECT count(*) FROM queues))::int
), drawn AS (
    SELECT 1000000000000 + r.inventory_id AS key, cu.customer_id, r.film_id, r.store_id,
           'ready' AS status,
           CASE WHEN r.ready_at = r.back_at
                THEN date_trunc('second', r.ready_at
                    - make_interval(secs => pg_temp.grow_u(%(seed)s, r.inventory_id, 39) * 86400 * 7))
                ELSE r.ready_at END AS created,
           r.ready_at, r.ready_at + make_interval(days => %(ready_days)s) AS expires_at,
           r.inventory_id
    FROM ready r
    JOIN grow_day d ON d.day = (%(until)s - interval '10 days')::date
    JOIN grow_customer cu
        ON cu.rank = floor(pg_temp.grow_u(%(seed)s, r.inventory_id, 40) * d.customers)::int
    UNION ALL
    SELECT 2000000000000 + w.g, cu.customer_id, w.film_id, w.store_id, 'waiting', w.created,
           NULL, NULL, NULL
    FROM waiting w
    JOIN grow_day d ON d.day = w.created::date
    JOIN grow_customer cu ON cu.rank = floor(pg_temp.grow_u(%(seed)s, w.g, 41) * d.customers)::int
)
SELECT DISTINCT ON (customer_id, film_id) *
FROM drawn o
WHERE NOT EXISTS (
    SELECT 1 FROM hold h
    WHERE h.customer_id = o.customer_id AND h.film_id = o.film_id AND h.status IN ('waiting', 'ready'))
ORDER BY customer_id, film_id, status = 'ready' DESC, key
"""

INSERT_HOLDS = """
INSERT INTO hold (hold_id, customer_id, film_id, store_id, status, created, ready_at, expires_at,
                  inventory_id, rental_id, closed_at, last_update)
SELECT %(hold0)s + row_number() OVER (ORDER BY created, key), customer_id, film_id, store_id, status,
       created, ready_at, expires_at, inventory_id, rental_id, closed_at,
       coalesce(closed_at, ready_at, created)
FROM (
    SELECT key, customer_id, film_id, store_id, status, created, ready_at, expires_at, inventory_id,
           rental_id, closed_at
    FROM grow_hold
    UNION ALL
    SELECT key, customer_id, film_id, store_id, status, created, ready_at, expires_at, inventory_id,
           NULL, NULL
    FROM grow_open_hold
) h
ORDER BY 1
"""

# The stores holding copies, numbered; where a copy of the store ``gs`` is sent (``{key}``: the
# draw's key) is any other of them.
STORES = """
CREATE TEMP TABLE grow_store ON COMMIT DROP AS
SELECT store_id, (row_number() OVER (ORDER BY store_id) - 1)::int AS k, (count(*) OVER ())::int AS n
FROM (SELECT DISTINCT store_id FROM grow_staff) s
"""
OTHER_STORE = """
(SELECT store_id FROM grow_store o
 WHERE o.k = mod(gs.k + 1 + floor(pg_temp.grow_u(%(seed)s, {key}, 42) * (gs.n - 1))::int, gs.n))
"""

# Transfers of the history: a gap holds a round trip (two legs, each taking up to 30 % of the gap
# and one to three days) or one cancelled transfer, kept off the gap's ends. Then the in-transit
# ones, on the shelf's copies after those set aside.
TRANSFERS = """
CREATE TEMP TABLE grow_transfer ON COMMIT DROP AS
WITH picked AS (
    SELECT g.rental_id, g.inventory_id, g.store_id AS home, {other} AS away,
           g.back_at, g.rental_date - g.back_at AS gap,
           least((g.rental_date - g.back_at) * 0.3,
                 make_interval(secs => 86400 * (1 + 2 * pg_temp.grow_u(%(seed)s, g.rental_id, 43)))) AS leg,
           pg_temp.grow_u(%(seed)s, g.rental_id, 44) < %(cancelled_share)s AS cancelled
    FROM grow_gap g JOIN grow_store gs USING (store_id)
    WHERE g.u >= %(hold_rate)s AND g.u < %(hold_rate)s + %(transfer_rate)s
), legs AS (
    SELECT rental_id * 2 AS key, inventory_id, home AS from_store_id, away AS to_store_id,
           CASE WHEN cancelled THEN 'cancelled' ELSE 'received' END AS status,
           back_at + gap * 0.05 AS sent_at,
           CASE WHEN NOT cancelled THEN back_at + gap * 0.05 + leg END AS received_at,
           CASE WHEN cancelled THEN back_at + gap * 0.05 + leg * pg_temp.grow_u(%(seed)s, rental_id, 45) END
               AS cancelled_at
    FROM picked
    UNION ALL
    SELECT rental_id * 2 + 1, inventory_id, away, home, 'received',
           back_at + gap * 0.95 - leg, back_at + gap * 0.95, NULL
    FROM picked WHERE NOT cancelled
    UNION ALL
    SELECT 1000000000000 + s.inventory_id, s.inventory_id, s.store_id, {other_now}, 'in_transit',
           greatest(s.back_at, %(until)s
               - make_interval(secs => pg_temp.grow_u(%(seed)s, s.inventory_id, 46) * 86400 * 3)),
           NULL, NULL
    FROM grow_shelf s JOIN grow_store gs USING (store_id)
    WHERE s.n > %(ready)s AND s.n <= %(ready)s + %(in_transit)s
)
SELECT key, inventory_id, from_store_id, to_store_id, status,
       date_trunc('second', sent_at) AS sent_at, date_trunc('second', received_at) AS received_at,
       date_trunc('second', cancelled_at) AS cancelled_at
FROM legs
"""

# Sent and received by a staff member of the sending and the receiving store (grow_staff).
INSERT_TRANSFERS = """
INSERT INTO transfer (transfer_id, inventory_id, from_store_id, to_store_id, status, sent_at,
                      received_at, cancelled_at, sent_by_id, received_by_id, last_update)
SELECT %(transfer0)s + row_number() OVER (ORDER BY t.sent_at, t.key), t.inventory_id, t.from_store_id,
       t.to_store_id, t.status, t.sent_at, t.received_at, t.cancelled_at, sender.staff_id,
       CASE WHEN t.status = 'received' THEN receiver.staff_id END,
       coalesce(t.received_at, t.cancelled_at, t.sent_at)
FROM grow_transfer t
JOIN grow_staff sender
    ON sender.store_id = t.from_store_id
    AND sender.k = floor(pg_temp.grow_u(%(seed)s, t.key, 47) * sender.n)::int
JOIN grow_staff receiver
    ON receiver.store_id = t.to_store_id
    AND receiver.k = floor(pg_temp.grow_u(%(seed)s, t.key, 48) * receiver.n)::int
ORDER BY 1
"""


def plan(conn: psycopg.Connection, params: dict) -> dict:
    """What :func:`grow_holds` and :func:`grow_transfers` add for ``params["rentals_added"]`` grown
    rentals: their parameters, and the staging tables they share (the gaps, the shelf). Both
    rates are shares of the gaps, which they split: their sum is at most 1 for any factor the
    rentals allow (a few percent of the gaps)."""
    holds = round(params["rentals_added"] * HOLDS_PER_RENTAL)
    transfers = round(params["rentals_added"] * TRANSFERS_PER_RENTAL)
    waiting, ready = round(holds * WAITING_SHARE), round(holds * READY_SHARE)
    in_transit = round(transfers * IN_TRANSIT_SHARE)
    cancelled = round(transfers * CANCELLED_TRANSFER_SHARE)
    # A round trip is two received transfers, from one gap.
    gaps_for_transfers = cancelled + (transfers - in_transit - cancelled) // 2
    conn.execute(STORES)
    if conn.execute("SELECT count(*) FROM grow_store").fetchone()[0] < 2:
        # One store holds every copy: no copy has anywhere to travel.
        in_transit = gaps_for_transfers = 0
    conn.execute(GAPS, params)
    conn.execute("ANALYZE grow_gap")
    gaps = max(conn.execute("SELECT count(*) FROM grow_gap").fetchone()[0], 1)
    step = {
        **params,
        "ready_days": HOLD_READY_DAYS,
        "waiting": waiting,
        "ready": ready,
        "in_transit": in_transit,
        "hold_rate": (holds - waiting - ready) / gaps,
        "transfer_rate": gaps_for_transfers / gaps,
        "cancelled_share": cancelled / max(gaps_for_transfers, 1),
    }
    conn.execute(SHELF, step)
    return step


def grow_holds(conn: psycopg.Connection, step: dict) -> int:
    conn.execute(PAST_HOLDS, step)
    conn.execute(OPEN_HOLDS, step)
    return conn.execute(INSERT_HOLDS, step).rowcount


def grow_transfers(conn: psycopg.Connection, step: dict) -> int:
    transfers = TRANSFERS.format(
        other=OTHER_STORE.format(key="g.rental_id"), other_now=OTHER_STORE.format(key="s.inventory_id")
    )
    conn.execute(transfers, step)
    return conn.execute(INSERT_TRANSFERS, step).rowcount
