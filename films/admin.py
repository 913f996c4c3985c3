"""The catalogue in the back office: films (with streaming switches), categories, actors."""

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, StringAgg, Value

from films.models import Actor, Category, Film, FilmCategory, Language, MpaaRating
from pagila_site.backoffice.admin_filters import is_pagila_id
from pagila_site.backoffice.change_history import ChangeHistoryAdmin


class CategoryListFilter(admin.SimpleListFilter):
    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(str(c.pk), c.name) for c in Category.objects.all()]

    def queryset(self, request, queryset):
        # An id that is not one (a stale or typed link) is ignored, not cast into a 500.
        if self.value() is None or not is_pagila_id(self.value()):
            return queryset
        # EXISTS rather than a join: a film with several categories stays one row.
        return queryset.filter(
            Exists(FilmCategory.objects.filter(film=OuterRef("pk"), category_id=self.value()))
        )


class RatingListFilter(admin.SimpleListFilter):
    """Django's own filter for a field with choices passes any value to PostgreSQL, whose
    ``mpaa_rating`` enum refuses an unknown one with an error (a 500): here it is ignored."""

    title = "rating"
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return MpaaRating.choices

    def queryset(self, request, queryset):
        if self.value() not in MpaaRating.values:
            return queryset
        return queryset.filter(rating=self.value())


class ReleaseYearListFilter(admin.SimpleListFilter):
    title = "release year"
    parameter_name = "release_year"

    def lookups(self, request, model_admin):
        years = Film.objects.order_by("-release_year").values_list("release_year", flat=True).distinct()
        return [(str(y), str(y)) for y in years if y is not None]

    def queryset(self, request, queryset):
        if self.value() is None or not is_pagila_id(self.value()):
            return queryset
        return queryset.filter(release_year=int(self.value()))


@admin.register(Film)
class FilmAdmin(ChangeHistoryAdmin, admin.ModelAdmin):
    list_display = ["title", "rating", "rental_rate", "category_names", "release_year", "streaming_available"]
    list_display_links = ["title"]
    list_filter = [
        RatingListFilter,
        CategoryListFilter,
        "streaming_available",
        ("language", admin.RelatedOnlyFieldListFilter),
        ReleaseYearListFilter,
    ]
    search_fields = ["title", "description"]
    list_select_related = ["language"]
    list_per_page = 50
    ordering = ["title", "film_id"]
    actions = ["mark_streaming_on", "mark_streaming_off"]
    fields = [
        "title",
        "description",
        "release_year",
        "language",
        "rating",
        "length",
        "rental_duration",
        "rental_rate",
        "replacement_cost",
        "special_features",
        "streaming_available",
        "category_names",
        "actor_names",
    ]
    readonly_fields = ["category_names", "actor_names"]

    # Who may change a film's prices and details (films.change_film: managers, superusers) or only
    # its streaming flag (films.change_film_streaming: clerks, as the API lets any staff token).
    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or request.user.has_perm(
            "films.change_film_streaming"
        )

    def get_readonly_fields(self, request, obj=None):
        if request.user.has_perm("films.change_film"):
            return self.readonly_fields
        return [field for field in self.fields if field != "streaming_available"]

    def get_queryset(self, request):
        # Category names are aggregated in the list query itself: one query per page, no N+1.
        return (
            super()
            .get_queryset(request)
            .annotate(_categories=StringAgg("categories__name", Value(", "), order_by="categories__name"))
        )

    @admin.display(description="categories", ordering="_categories")
    def category_names(self, film):
        return film._categories or "—"

    @admin.display(description="actors")
    def actor_names(self, film):
        return ", ".join(str(a) for a in film.actors.order_by("last_name", "first_name")) or "—"

    @admin.action(description="Mark selected films as available for streaming", permissions=["change"])
    def mark_streaming_on(self, request, queryset):
        self._set_streaming(request, queryset, True)

    @admin.action(description="Mark selected films as not available for streaming", permissions=["change"])
    def mark_streaming_off(self, request, queryset):
        self._set_streaming(request, queryset, False)

    def _set_streaming(self, request, queryset, available):
        # The annotated queryset can't be updated directly; a plain one by primary key can.
        updated = Film.objects.filter(pk__in=queryset.values("pk")).update(streaming_available=available)
        state = "available" if available else "not available"
        self.message_user(request, f"{updated} film(s) marked {state} for streaming.", messages.SUCCESS)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "film_count"]
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_film_count=Count("films"))

    @admin.display(description="films", ordering="_film_count")
    def film_count(self, category):
        return category._film_count


@admin.register(Actor)
class ActorAdmin(admin.ModelAdmin):
    list_display = ["last_name", "first_name", "film_count"]
    search_fields = ["first_name", "last_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_film_count=Count("films"))

    @admin.display(description="films", ordering="_film_count")
    def film_count(self, actor):
        return actor._film_count


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
