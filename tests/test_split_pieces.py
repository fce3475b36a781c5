"""split_articles: what counts as enough prose for a piece to be an article of its own."""

from ingest.split import split_articles

ARTICLE = (
    "Ferry resumes service to Skarholm\n\n"
    "The ferry between Port Elms and Skarholm returned to its timetable on Thursday.\n\n"
    "Islanders had relied on a smaller chartered boat that carried no cars at all, and "
    "deliveries of fuel and groceries had to be moved to the weekend for three weeks."
)


def test_a_piece_of_comment_and_fine_print_after_a_separator_stays_with_its_article() -> None:
    tail = (
        "==========\n"
        "Good to see the ferry back, and about time the council paid for it.\n"
        "You must be logged in to leave a comment. Not a member? Register now and join us!\n"
        "Your email address will not be published. Required fields are marked with a star."
    )
    assert split_articles(f"{ARTICLE}\n{tail}") == [f"{ARTICLE}\n{tail}"]
