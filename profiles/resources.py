from import_export import fields, resources

from .models import Group, Profile


class ProfileResource(resources.ModelResource):
    class Meta:
        model = Profile
        import_id_fields = ("company", "phone_number")
        exclude = ("source_user", "crm_sync")
        skip_unchanged = True


class GroupResource(resources.ModelResource):
    member_count = fields.Field(readonly=True)

    class Meta:
        model = Group
        fields = ("id", "company", "name", "kind", "created_at", "member_count")

    def dehydrate_member_count(self, group: Group) -> int:
        return group.memberships.count()
