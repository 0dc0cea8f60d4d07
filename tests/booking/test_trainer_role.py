"""A trainer is a member of a library who is not its coordinator: the roles say so, and the
rules that ask "does this person coordinate the group?" answer no for them."""

import pytest
from django.core.exceptions import ValidationError

from booking import roles
from booking.models import Membership, TrainerAssignment

from .factories import CourseGroupFactory, UserFactory, trainer_of


def test_a_trainer_trains_for_the_library_and_coordinates_nothing(people):
    trainer = trainer_of(people.gouda)
    group = CourseGroupFactory(library=people.gouda)

    assert roles.trains_for(trainer) == people.gouda
    assert roles.library_of(trainer) is None
    assert roles.company_of(trainer) is None
    assert not roles.coordinates(trainer, group)
    assert roles.trains_for(people.coordinator_gouda) is None


def test_a_trainer_teaches_only_the_groups_of_their_own_library_they_are_assigned_to(people):
    trainer = trainer_of(people.gouda)
    theirs, other = (
        CourseGroupFactory(library=people.gouda),
        CourseGroupFactory(library=people.gouda),
    )
    TrainerAssignment.objects.create(group=theirs, trainer=trainer)
    elsewhere = CourseGroupFactory(library=people.deventer)
    TrainerAssignment.objects.create(group=elsewhere, trainer=trainer)

    assert roles.teaches(trainer, theirs)
    assert not roles.teaches(trainer, other)
    assert not roles.teaches(trainer, elsewhere)
    assert not roles.teaches(people.coordinator_gouda, theirs)


def test_only_a_library_has_trainers(people):
    user = UserFactory(username="trainer-at-promen")
    membership = Membership(user=user, organisation=people.promen, is_trainer=True)

    with pytest.raises(ValidationError) as error:
        membership.full_clean()
    assert "is_trainer" in error.value.message_dict
