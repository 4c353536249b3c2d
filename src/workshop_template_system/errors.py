"""Exceptions of the Workshop Template System.

    WorkshopSystemError              everything we raise on purpose
    ├── ConfigurationError           a setting or command-line value that cannot work
    ├── InvalidNameError             an id or name that would become a path, refused
    ├── SkillInputError              a skill call with unknown skill or invalid input
    ├── WorkspaceError               the shared workspace cannot be used as asked
    │   ├── LockTimeout              a workspace lock stayed held past the timeout
    │   └── WorkspaceUnwritable      the workspace's file system refuses writes: full, over quota or read-only
    ├── GitError                     a git repository cannot be cloned or read as asked
    │   ├── RepositoryRefused        a source, ref or clone refused by policy (transport, local path, size, files)
    │   │   └── CloneTimeout         a clone ran past its timeout (its partial folder is removed)
    │   └── RefNotFound              the branch, tag or commit asked for is not in the repository
    ├── ModelError                   the language model is unreachable, refused the request or gave no answer
    ├── VectorStoreError             the vector store (Milvus) is unreachable, refused or failed a request
    │   └── StoreLocked              another process has the Milvus Lite database open
    ├── ForgeError                   the git forge (Gitea or local bare repositories) refused or failed
    ├── WebError                     a web address cannot be fetched or searched
    │   └── UrlRefused               an address refused by policy (scheme, private or metadata address)
    ├── PeerError                    another agent is unreachable or its task failed
    │   └── PeerUnreachable          nothing answered at the agent's address, even after retries
    ├── PipelineError                a pipeline step failed, or the pipeline cannot do what was asked now
    └── ServeError                   a server cannot start or an agent process died

Foreign exceptions (httpx, git, filelock, llama-stack-client, ...) are translated once, where they are
caught, with ``raise ... from exc``. Agents turn these into a failed or rejected task
with the message as reason; the command line into one line and an exit code.
"""


class WorkshopSystemError(Exception):
    """Base class: its message is written for the person who reads it."""


class ConfigurationError(WorkshopSystemError):
    """A setting or command-line value that cannot work."""


class InvalidNameError(WorkshopSystemError, ValueError):
    """An id or name that would become a path and is not safe or not valid."""


class SkillInputError(WorkshopSystemError):
    """A skill call that names an unknown skill or carries invalid input."""


class WorkspaceError(WorkshopSystemError):
    """The shared workspace cannot be used as asked."""


class LockTimeout(WorkspaceError):
    """A workspace lock stayed held by someone else past the timeout."""


class WorkspaceUnwritable(WorkspaceError):
    """The workspace's file system refuses writes: it is full (or out of inodes), over its quota, or read-only."""


class GitError(WorkshopSystemError):
    """A git repository cannot be cloned or read as asked (unreachable, not a repository, git failed)."""


class RepositoryRefused(GitError):
    """A repository source, ref or clone refused by policy: its transport, a local path, its size or file count."""


class CloneTimeout(RepositoryRefused):
    """A clone ran past its timeout; the partial clone has been removed."""


class RefNotFound(GitError):
    """The branch, tag or commit asked for does not exist in the repository."""


class ModelError(WorkshopSystemError):
    """The language model cannot be reached, refused the request, ran past its timeout or answered nothing."""


class VectorStoreError(WorkshopSystemError):
    """The vector store (Milvus) cannot be reached, or refused or failed a request."""


class StoreLocked(VectorStoreError):
    """Another process has the Milvus Lite database open (Lite allows one process per database)."""


class ForgeError(WorkshopSystemError):
    """The git forge (Gitea, or the local bare repositories) refused the request or failed."""


class WebError(WorkshopSystemError):
    """A web address cannot be fetched, or a web search cannot be made."""


class UrlRefused(WebError):
    """An address refused by policy: its scheme, or a loopback, private, link-local or metadata address."""


class PeerError(WorkshopSystemError):
    """Another agent could not be reached, or its task did not complete."""


class PeerUnreachable(PeerError):
    """Nothing answered at another agent's address (connection refused), even after the retries."""


class PipelineError(WorkshopSystemError):
    """A pipeline step failed (the run can be resumed), or the run cannot do what was asked in its state."""


class ServeError(WorkshopSystemError):
    """An agent's server cannot start or keep running (address in use, an agent process died)."""
