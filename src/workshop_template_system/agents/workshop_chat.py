"""workshop_chat: answers participants' questions from the workshop's own pages."""

from workshop_template_system.agents.base import AgentSpec

AGENT = AgentSpec(
    name="workshop_chat",
    title="Workshop Chat",
    summary="answers participants' questions from the workshop, with citations",
    description=(
        "Answers participants' questions about a workshop from its published pages, with citations to the page "
        "and section (retrieval over Milvus; a Llama Stack model writes the answer when one is configured)."
    ),
)
