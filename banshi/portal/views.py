"""Public pages. Thin: parse input, call a selector or service, render."""

from django.http import HttpResponse
from django.shortcuts import render


def home(request):
    return HttpResponse("办事 Banshi")


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
