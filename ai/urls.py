"""URLs of the AI API (mounted under /api/v1/ai/); each view is documented by its ai.schema class."""

from django.urls import path

from ai import schema, views

urlpatterns = [
    path("ask", schema.documented(views.ask, schema.AskDocs), name="ai-ask"),
    path("summary", schema.documented(views.summary, schema.SummaryDocs), name="ai-summary"),
    path("handoff", schema.documented(views.handoff, schema.HandoffDocs), name="ai-handoff"),
]
