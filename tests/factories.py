"""factory_boy factories for the whole suite."""

import factory
from factory.django import DjangoModelFactory

from apps.accounts.models import Membership, Organisation, Team, User
from apps.tickets.models import Category, Comment, Location, Product, Ticket

PASSWORD = "correct-horse-battery"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(DjangoModelFactory):
    """``organisation`` may be given by name: the organisation is made if it does not exist."""

    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        if isinstance(kwargs.get("organisation"), str):
            kwargs["organisation"] = OrganisationFactory(name=kwargs["organisation"])
        return kwargs

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    team = factory.SubFactory(TeamFactory)
    tier = 1


def agent_of(team: Team, *, tier: int = 1, lead: bool = False, **user_fields) -> User:
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, team=team, tier=tier, is_lead=lead)
    return User.objects.get(pk=user.pk)  # fresh: memberships are cached per instance


class CategoryFactory(DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Category {n}")


class LocationFactory(DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Site {n}")


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Product {n}")


class TicketFactory(DjangoModelFactory):
    """A ticket written straight to the table (no events): for reads. Use services for flows."""

    class Meta:
        model = Ticket

    subject = factory.Faker("sentence", nb_words=6)
    description = factory.Faker("paragraph")
    requester = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    team = factory.SubFactory(TeamFactory)


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    ticket = factory.SubFactory(TicketFactory)
    author = factory.SelfAttribute("ticket.requester")
    body = factory.Faker("paragraph")
