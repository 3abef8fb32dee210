"""Reviews received by signed webhook from a review service."""
