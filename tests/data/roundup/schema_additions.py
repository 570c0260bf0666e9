# Schema additions for `review` (docs/tracker.md), appended to the `schema.py` of Roundup's
# `classic` template: what CPython's tracker (bugs.python.org) had and `review` reads.
#
# - `issue_type` (enhancement, behavior, security, crash) and `issue.type`: nomination;
# - `version` (3.13, 3.14, ...) and `issue.versions`: the affected versions;
# - `resolution` and `issue.resolution`: set on merge when `[tracker] on_merge_resolution` is;
# - `user.contrib_form`: the contributor-agreement flag the CLA check reads;
# - the role `Review`, for the bot account: may read users' addresses and that flag.

issue_type = Class(db, "issue_type", name=String(), description=String(), order=Number())
issue_type.setkey("name")
version = Class(db, "version", name=String(), description=String(), order=Number())
version.setkey("name")
resolution = Class(db, "resolution", name=String(), order=Number())
resolution.setkey("name")

def add_properties(klass, **properties):
    """Adds properties to a class of the template (registered as the class's own are)."""
    klass.addprop(**properties)
    for name, prop in properties.items():
        prop.register(klass, name)

add_properties(db.issue, type=Link("issue_type"), versions=Multilink("version"),
               resolution=Link("resolution"))
add_properties(db.user, contrib_form=Boolean())

for cl in 'issue_type', 'version', 'resolution':
    db.security.addPermissionToRole('User', 'View', cl)
    db.security.addPermissionToRole('Anonymous', 'View', cl)

db.security.addRole(name='Review', description='The review service bot: reads the CLA flag')
p = db.security.addPermission(name='View', klass='user',
    properties=('id', 'username', 'address', 'alternate_addresses', 'contrib_form'))
db.security.addPermissionToRole('Review', p)
db.security.addPermissionToRole('Review', 'Search', 'user')
