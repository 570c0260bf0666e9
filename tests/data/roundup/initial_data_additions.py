# Starting values of the classes of schema_additions.py, appended to the `initial_data.py` of
# Roundup's `classic` template (before `roundup-admin initialise`).

issue_type = db.getclass('issue_type')
for order, name in enumerate(['enhancement', 'behavior', 'security', 'crash'], 1):
    issue_type.create(name=name, order=str(order))

version = db.getclass('version')
for order, name in enumerate(['3.12', '3.13', '3.14', '3.15'], 1):
    version.create(name=name, order=str(order))

resolution = db.getclass('resolution')
for order, name in enumerate(['fixed', 'rejected', 'duplicate', 'out of date'], 1):
    resolution.create(name=name, order=str(order))
