"""好差评 reads other pages need (the applicant's progress page links to its rating step)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from banshi.ratings.models import Rating


@dataclass(frozen=True)
class RatingStep:
    """评价入口 on an application's page: how many finished cases wait for a rating (一事一评)."""

    url: str
    finished: int  # cases in a state that may be rated
    rated: int

    @property
    def pending(self) -> int:
        return self.finished - self.rated


def rating_step(application) -> RatingStep | None:
    """The rating step of ``application`` once at least one of its cases has ended, else None.

    Voluntary (standards §3.7): the page offers it, nothing waits for it.
    """
    from banshi.ratings.services import RATABLE_CASE_STATES

    finished = list(
        application.cases.filter(state__in=list(RATABLE_CASE_STATES)).values_list(
            "number", flat=True
        )
    )
    if not finished:
        return None
    rated = Rating.objects.filter(subject_key__in=[f"case:{n}" for n in finished]).count()
    return RatingStep(
        url=reverse("ratings:rate_application", args=[application.number]),
        finished=len(finished),
        rated=rated,
    )
