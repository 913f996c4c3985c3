"""The catalogue: unmanaged models over Pagila's existing tables.

Maps ``language``, ``category``, ``actor``, ``film``, ``film_actor`` and ``film_category`` as
Pagila's schema defines them (``pagila-schema.sql`` at the pinned upstream commit). Left out:
the views (``film_list``, ``actor_info``...) and stored functions; ``film.original_language_id``
is mapped but unused. The one column we add, ``film.streaming_available``, comes from our
migration ``0002`` since Django never alters an unmanaged table by itself.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connections, models
from django.db.models import Exists, OuterRef
from django.db.models.functions import JSONObject, Now


class TrimmedCharField(models.CharField):
    """``character(n)`` columns come back blank-padded by PostgreSQL; hand out the value."""

    def from_db_value(self, value, expression, connection):
        return value.rstrip() if value is not None else value


class MpaaRating(models.TextChoices):
    """Pagila's ``mpaa_rating`` enum, in its declared order."""

    G = "G", "G"
    PG = "PG", "PG"
    PG_13 = "PG-13", "PG-13"
    R = "R", "R"
    NC_17 = "NC-17", "NC-17"


class Language(models.Model):
    language_id = models.AutoField(primary_key=True)
    name = TrimmedCharField(max_length=20)
    last_update = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "language"
        ordering = ["language_id"]

    def __str__(self) -> str:
        return self.name


class CategoryQuerySet(models.QuerySet):
    def with_film_count(self):
        return self.annotate(film_count=models.Count("films"))

    def named(self, name: str):
        """Categories called ``name``, ignoring case (``action`` finds ``Action``)."""
        return self.filter(name__iexact=name)

    def ids_named(self, category_name: str) -> list[int]:
        """The ids of ``named(category_name)``, by a plain SELECT of the same condition: the film list's
        category filter asks on every request, and the queryset cost four times the Python."""
        meta = self.model._meta
        # Only the model's own identifiers are interpolated; the name is a parameter.
        name = meta.get_field("name").column
        sql = f"SELECT {meta.pk.column} FROM {meta.db_table} WHERE UPPER({name}::text) = UPPER(%s)"  # noqa: S608
        with connections[self.db].cursor() as cursor:
            cursor.execute(sql, [category_name])
            return [row[0] for row in cursor.fetchall()]


class Category(models.Model):
    category_id = models.AutoField(primary_key=True)
    name = models.TextField()
    last_update = models.DateTimeField(db_default=Now())

    objects = CategoryQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "category"
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class Actor(models.Model):
    actor_id = models.AutoField(primary_key=True)
    first_name = models.TextField()
    last_name = models.TextField()
    last_update = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "actor"
        ordering = ["last_name", "first_name", "actor_id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class FilmQuerySet(models.QuerySet):
    def streaming(self):
        return self.filter(streaming_available=True)

    def with_language_name(self):
        """``language_name``: the name of the film's language, joined in SQL without loading a
        ``Language`` per film (as ``select_related`` would)."""
        return self.annotate(language_name=models.F("language__name"))

    def with_category_names(self):
        """``category_names``: the film's category names, sorted, from one correlated subquery."""
        names = (
            FilmCategory.objects.filter(film=OuterRef("pk"))
            .order_by("category__name")
            .values("category__name")
        )
        return self.annotate(category_names=ArraySubquery(names))

    def with_cast(self):
        """``cast``: the film's actors as ``{"actor_id", "first_name", "last_name"}`` objects, in
        ``Actor``'s order, from one correlated subquery (a prefetch would be a second query)."""
        actors = (
            FilmActor.objects.filter(film=OuterRef("pk"))
            .order_by("actor")  # Actor's Meta.ordering
            .values(
                json=JSONObject(
                    actor_id="actor__actor_id", first_name="actor__first_name", last_name="actor__last_name"
                )
            )
        )
        return self.annotate(cast=ArraySubquery(actors))

    def in_categories(self, category_ids):
        """Films in any of the categories ``category_ids``, each once whatever its other categories.

        EXISTS rather than a join: a join repeats a film per matching row and needs DISTINCT. Ids
        (``CategoryQuerySet.named`` finds them) rather than a name, so the count and the page
        probe film_category's primary key instead of joining category for every film.
        """
        return self.filter(
            Exists(FilmCategory.objects.filter(film=OuterRef("pk"), category_id__in=category_ids))
        )

    def search(self, text: str):
        """Full-text search in web-search syntax (``words``, ``"a phrase"``, ``-excluded``).

        Matches Pagila's ``fulltext`` column, which its trigger builds from title and description
        with the ``english`` configuration; the query uses the same one so stems agree, and the
        ``@@`` match can use the column's GiST index.
        """
        return self.filter(fulltext=SearchQuery(text, search_type="websearch", config="english"))


class Film(models.Model):
    film_id = models.AutoField(primary_key=True)
    title = models.TextField()
    description = models.TextField(null=True, blank=True)
    # Pagila's ``year`` domain: an integer between 1901 and 2155, checked by the database.
    release_year = models.IntegerField(null=True, blank=True)
    language = models.ForeignKey(Language, models.DO_NOTHING, related_name="films")
    original_language = models.ForeignKey(
        Language, models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    rental_duration = models.SmallIntegerField(db_default=3)
    rental_rate = models.DecimalField(max_digits=4, decimal_places=2, db_default=4.99)
    length = models.SmallIntegerField(null=True, blank=True)
    replacement_cost = models.DecimalField(max_digits=5, decimal_places=2, db_default=19.99)
    rating = models.TextField(choices=MpaaRating.choices, null=True, blank=True, db_default="G")
    last_update = models.DateTimeField(db_default=Now())
    special_features = ArrayField(models.TextField(), null=True, blank=True)
    # Maintained by Pagila's BEFORE INSERT/UPDATE trigger from title and description
    # (english configuration) and indexed with GiST; never written by us.
    fulltext = SearchVectorField(editable=False, null=True)
    streaming_available = models.BooleanField(default=False, db_default=False)
    actors = models.ManyToManyField(Actor, through="FilmActor", related_name="films")
    categories = models.ManyToManyField(Category, through="FilmCategory", related_name="films")

    objects = FilmQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "film"
        ordering = ["film_id"]
        # A clerk's share of change_film: the streaming flag alone, as the API's PATCH allows.
        permissions = [("change_film_streaming", "Can switch a film's streaming availability")]

    def __str__(self) -> str:
        return self.title


class FilmActor(models.Model):
    pk = models.CompositePrimaryKey("actor_id", "film_id")
    actor = models.ForeignKey(Actor, models.DO_NOTHING)
    film = models.ForeignKey(Film, models.DO_NOTHING)
    last_update = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "film_actor"

    def __str__(self) -> str:
        return f"actor {self.actor_id} in film {self.film_id}"


class FilmCategory(models.Model):
    pk = models.CompositePrimaryKey("film_id", "category_id")
    film = models.ForeignKey(Film, models.DO_NOTHING)
    category = models.ForeignKey(Category, models.DO_NOTHING)
    last_update = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "film_category"
        verbose_name_plural = "film categories"

    def __str__(self) -> str:
        return f"film {self.film_id} in category {self.category_id}"
