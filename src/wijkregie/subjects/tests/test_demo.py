"""The demo municipality gets fictional subjects, some in the regisseur's screening queue."""

from __future__ import annotations

from django.utils import timezone

from wijkregie.demo import catalogue as cat
from wijkregie.demo.services import ensure_demo
from wijkregie.subjects.models import PersonRecord, SignalSubject, Subject, SubjectEvent
from wijkregie.subjects.selectors import screening_queue
from wijkregie.tenants.access import viewer_for
from wijkregie.tenants.models import Municipality, User


def test_demo_subjects_are_deterministic_and_reset(db: None) -> None:
    end = timezone.now()
    ensure_demo(seed=3, n_signals=3_000, end=end)
    gm = Municipality.objects.get(cbs_code=cat.CBS_CODE)
    kinds = set(Subject.objects.filter(municipality=gm).values_list("kind", flat=True))
    assert kinds == {"address", "household", "person", "group", "location"}
    assert PersonRecord.objects.filter(municipality=gm, thin=True).count() == 1
    regisseur = viewer_for(User.objects.get(username="regisseur"))
    assert regisseur is not None
    queue = screening_queue(viewer=regisseur)
    assert len(queue) >= 2
    assert all(e.subject.kind == "person" and e.domain_count >= 3 for e in queue)
    first = sorted(SignalSubject.objects.values_list("signal__uuid", "subject__kind", "role"))

    result = ensure_demo(seed=3, n_signals=3_000, end=end, reset=True)
    assert result.created
    assert not SubjectEvent.objects.filter(municipality_id=gm.pk).exists()
    again = sorted(SignalSubject.objects.values_list("signal__uuid", "subject__kind", "role"))
    assert again == first
