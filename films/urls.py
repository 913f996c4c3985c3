"""URLs of the films API (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from films import views

router = SimpleRouter()
router.register("films", views.FilmViewSet, basename="film")
router.register("categories", views.CategoryViewSet, basename="category")

urlpatterns = router.urls
