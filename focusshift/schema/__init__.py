"""The JSON Schema of focusshift's analysis output (analysis-1.schema.json)."""
