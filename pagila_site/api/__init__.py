"""The DRF plumbing every app's viewsets use: bearer-token authentication and its lock-out,
permissions, the contract's errors and pagination, shared filter fields, and what the OpenAPI
schema needs beyond introspection. Settings' ``REST_FRAMEWORK`` names these modules."""
