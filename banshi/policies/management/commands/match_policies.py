"""``banshi match_policies``: run the 免申即享 matching engine from cron or a worker.

banshi match_policies --full            # every published policy × every enterprise
banshi match_policies --full --resume   # carry on an interrupted full run
banshi match_policies --policy CODE     # one policy (its published version)
banshi match_policies --changed         # enterprises whose portrait changed (the queue)

--full and --changed cover enterprises and persons (自然人) one after the other; ``--subjects
enterprise`` or ``--subjects person`` limits them to one kind.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from banshi.policies import engine
from banshi.policies.models import Policy, VersionStatus


class Command(BaseCommand):
    help = "运行免申即享匹配 / run policy matching: --full [--resume] | --policy CODE | --changed"

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--full", action="store_true", help="all published policies")
        group.add_argument("--policy", metavar="CODE", help="one policy's published version")
        group.add_argument("--changed", action="store_true", help="enterprises queued as changed")
        parser.add_argument(
            "--resume", action="store_true", help="continue an interrupted full run"
        )
        parser.add_argument(
            "--subjects",
            choices=["all", *engine.SUBJECTS],
            default="all",
            help="which subjects --full and --changed cover (default: all)",
        )

    def handle(
        self,
        *args,
        full: bool,
        policy: str | None,
        changed: bool,
        resume: bool,
        subjects: str = "all",
        **options,
    ):
        kinds = list(engine.SUBJECTS.values()) if subjects == "all" else [engine.SUBJECTS[subjects]]
        if full:
            for subject in kinds:
                try:
                    self._report(engine.run_full(resume=resume, subject=subject))
                except engine.MatchBusy as error:
                    raise CommandError(str(error)) from None
            return
        if changed:
            for subject in kinds:
                run = engine.run_changed_subjects(subject=subject)
                if run is None:
                    self.stdout.write(f"没有待匹配的画像变更 / nothing queued ({subject.kind})")
                else:
                    self._report(run)
            return
        if policy:
            found = Policy.objects.filter(code=policy.strip().upper()).first()
            version = (
                found.versions.filter(status=VersionStatus.PUBLISHED).first() if found else None
            )
            if version is None:
                raise CommandError(f"没有现行的政策 {policy} / no published policy {policy}")
            self._report(engine.run_policy(version))

    def _report(self, run) -> None:
        self.stdout.write(
            f"#{run.pk} {run.get_kind_display()} {run.get_status_display()} "
            f"[{run.get_subject_kind_display()}]: "
            f"{run.policies_done}/{run.policies_total} policies, {run.subjects} subjects, "
            f"{run.matched} matched, {run.near_misses} near misses, {run.seconds or 0:.1f} s "
            f"({run.database})"
        )
