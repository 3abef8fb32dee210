"""The app's pages in Saleor's Dashboard: configuration, journey map, widget."""
