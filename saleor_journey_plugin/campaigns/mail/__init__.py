"""What a campaign email says: its variables, money and dates as people write
them, and the MJML build of the shipped HTML templates."""
