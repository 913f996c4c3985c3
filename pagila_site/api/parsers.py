"""The API's JSON parser: DRF's, with one more way a body can be malformed."""

from rest_framework import exceptions, parsers


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but a body nested deeper than Python's decoder recurses (some 20 kB of
    ``[[[[…``, far under DATA_UPLOAD_MAX_MEMORY_SIZE) is 400 ``parse_error`` like any other
    malformed body, not a ``RecursionError`` and a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError("JSON parse error - the body is nested too deeply.") from exc
