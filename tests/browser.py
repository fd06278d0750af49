import os


def screenshot(page, name: str) -> None:
    """Save a full-page screenshot under test-artifacts/ for people to look at."""
    os.makedirs("test-artifacts", exist_ok=True)
    page.screenshot(path=f"test-artifacts/{name}.png", full_page=True)
