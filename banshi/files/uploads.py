"""Stop reading an oversized upload early, before Django writes it whole to a temporary file.

Django parses a multipart body completely before the view runs (the CSRF check reads
``request.POST``), so without help a 2 GB "scan" would land on disk before :func:`store_upload`
could refuse it. :func:`limit_uploads` puts :class:`SizeLimitHandler` in front of Django's handlers:
once a file passes ``BANSHI_UPLOAD_MAX_MB`` its remaining chunks are dropped (``SkipFile``) and
its field is remembered in ``request.oversized_uploads`` so the view can say which file was refused
and why. Usage (Django's documented pattern: the handler list must change before CSRF reads POST)::

    @limit_uploads
    def upload(request, ...): ...
"""

from __future__ import annotations

from functools import wraps

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from banshi.files.services import max_upload_bytes


class SizeLimitHandler(FileUploadHandler):
    """Drops a file's data once it is larger than the limit, noting ``(field, file name)``."""

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = max_upload_bytes() if limit is None else limit
        self.received = 0
        if request is not None and not hasattr(request, "oversized_uploads"):
            request.oversized_uploads = []

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                self.request.oversized_uploads.append((self.field_name, self.file_name))
            raise SkipFile()
        return raw_data  # pass the chunk on to Django's own handlers

    def file_complete(self, file_size):
        return None  # the next handler builds the UploadedFile


def limit_uploads(view):
    """Decorate a view that receives uploads: oversized files are dropped while parsing; CSRF is
    still checked (after the handler is in place)."""
    protected = csrf_protect(view)

    @wraps(view)
    @csrf_exempt
    def wrapped(request, *args, **kwargs):
        request.upload_handlers.insert(0, SizeLimitHandler(request))
        request.oversized_uploads = []
        return protected(request, *args, **kwargs)

    return wrapped
