"""Add, update and remove articles without ever losing one; list what is indexed; verify corpus/ against index/.

A change is one transaction, serialised by `corpus_lock` (a flock on `index/.corpus.lock`, re-entrant
within a process), that runs through the service's one build path:

1. recover what an interrupted change left behind (below);
2. plan against the current build: which files to write into corpus/, which to delete, what to skip;
3. stage the new files under `corpus/.staging/<token>/` (the corpus loader ignores dot-folders) and
   write the journal `index/.pending.json` atomically;
4. build: embed the new chunks, write a new immutable build and move CURRENT to it;
5. apply the journal to corpus/ (delete replaced or removed files, move staged ones in), then drop it.

Recovery reads the journal and the build CURRENT names: when that build holds every written
article with its new content hash and none of the removed ones, the change committed and the
journal is applied again (each step is idempotent); otherwise it is rolled back by deleting the
staged files. Either way corpus/ ends as the serving build describes it. The build id is not
needed for the decision, so a crash between moving CURRENT and noting the new id cannot mislead it.
"""

from bot.core.maintenance._duplicates import (
    NEAR_DUPLICATE_THRESHOLD,
    SHINGLE_WORDS,
    SIGNATURE_SIZE,
    SIGNATURE_SLACK,
    find_near_duplicate,
    jaccard,
    shingle_set,
    shingle_signature,
)
from bot.core.maintenance._journal import load_journal, recover_interrupted_change, run_corpus_change
from bot.core.maintenance._lock import corpus_lock
from bot.core.maintenance._plan import find_article_file, plan_additions, plan_removal
from bot.core.maintenance._read import collect_article_paths, read_article_files, read_article_upload
from bot.core.maintenance._values import (
    JOURNAL_FILE,
    JOURNAL_VERSION,
    LOCK_FILE,
    STAGING_DIR,
    ArticleInput,
    ArticleListing,
    ChangePlan,
    CorpusDelete,
    CorpusLockedError,
    CorpusWrite,
    MaintenanceError,
    VerifyReport,
)
from bot.core.maintenance._verify import list_indexed_articles, verify_index

__all__ = [
    "JOURNAL_FILE",
    "JOURNAL_VERSION",
    "LOCK_FILE",
    "NEAR_DUPLICATE_THRESHOLD",
    "SHINGLE_WORDS",
    "SIGNATURE_SIZE",
    "SIGNATURE_SLACK",
    "STAGING_DIR",
    "ArticleInput",
    "ArticleListing",
    "ChangePlan",
    "CorpusDelete",
    "CorpusLockedError",
    "CorpusWrite",
    "MaintenanceError",
    "VerifyReport",
    "collect_article_paths",
    "corpus_lock",
    "find_article_file",
    "find_near_duplicate",
    "jaccard",
    "list_indexed_articles",
    "load_journal",
    "plan_additions",
    "plan_removal",
    "read_article_files",
    "read_article_upload",
    "recover_interrupted_change",
    "run_corpus_change",
    "shingle_set",
    "shingle_signature",
    "verify_index",
]
