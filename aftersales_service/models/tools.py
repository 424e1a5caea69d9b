def form_action(record):
    """The window action that opens ``record`` in its form view."""
    record.ensure_one()
    return {
        "type": "ir.actions.act_window",
        "res_model": record._name,
        "res_id": record.id,
        "view_mode": "form",
        "views": [(False, "form")],
    }
