"""URLs of the change log (mounted under /api/v1/)."""

from rest_framework.routers import SimpleRouter

from changes import views

router = SimpleRouter(use_regex_path=False)
router.register("changes", views.ChangeViewSet, basename="change")

urlpatterns = router.urls
