"""`/partners`: the trading-partner registry (ops only): list, create or replace a
partner with its cross-references, read one, and read its document archive.

No answer shows a secret: a store's webhook secret reference is write-only
(`webhook_secret_configured` says whether one is set)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from api.deps import PartnerDocumentsDep, PartnerManagerDep, PartnerRegistryDep
from api.models import Problem, problem
from api.partner_models import DocumentPublic, PartnerCreate, PartnerDetailPublic, PartnerPublic
from store.partners import PartnerConflict, PartnerRegistry

router = APIRouter(prefix="/partners", tags=["partners"])

PartnerIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")]


@router.get("", response_model=list[PartnerPublic])
async def list_partners(
    registry: PartnerRegistryDep, principal: PartnerManagerDep
) -> list[PartnerPublic]:
    """Every trading partner, by id (without their cross-references)."""
    partners = await run_in_threadpool(registry.partners)
    return [PartnerPublic.of(partner) for partner in partners]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PartnerDetailPublic,
    responses={
        200: {"model": PartnerDetailPublic, "description": "An existing partner, replaced."},
        409: {"model": Problem, "description": "Its ISA sender or shop domain is another's."},
        422: {"description": "A bad body; says which field and why."},
    },
)
async def put_partner(
    body: PartnerCreate, registry: PartnerRegistryDep, principal: PartnerManagerDep
) -> JSONResponse:
    """Create a partner (`201`) or replace one by its `partner_id` (`200`): the
    partner's settings and its items, uoms and store customers as given (lists left
    out are emptied). `409` when its ISA sender or shop domain belongs to another
    partner; nothing is changed then."""
    partner, items, uoms, store_customers = body.parts()
    try:
        created = await run_in_threadpool(
            registry.upsert_partner, partner, items, uoms, store_customers
        )
    except PartnerConflict as conflict:
        return problem(status.HTTP_409_CONFLICT, str(conflict))
    detail = await run_in_threadpool(_detail, registry, partner.partner_id)
    assert detail is not None
    return JSONResponse(
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        content=detail.model_dump(mode="json"),
        headers={"Location": f"/partners/{partner.partner_id}"},
    )


@router.get(
    "/{partner_id}", response_model=PartnerDetailPublic, responses={404: {"model": Problem}}
)
async def read_partner(
    partner_id: PartnerIdPath, registry: PartnerRegistryDep, principal: PartnerManagerDep
) -> PartnerDetailPublic | JSONResponse:
    """A partner with its cross-references."""
    detail = await run_in_threadpool(_detail, registry, partner_id)
    if detail is None:
        return problem(status.HTTP_404_NOT_FOUND, f"no trading partner {partner_id}")
    return detail


@router.get(
    "/{partner_id}/documents",
    response_model=list[DocumentPublic],
    responses={404: {"model": Problem}},
)
async def partner_documents(
    partner_id: PartnerIdPath,
    registry: PartnerRegistryDep,
    archive: PartnerDocumentsDep,
    principal: PartnerManagerDep,
    reference: Annotated[str | None, Query(max_length=80)] = None,
    document_type: Annotated[str | None, Query(max_length=10)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[DocumentPublic] | JSONResponse:
    """The documents received from and sent to a partner, newest first; `reference`
    (a PO, shipment or invoice number) and `document_type` (`850`, `997`, ...) narrow
    them."""
    if await run_in_threadpool(registry.partner, partner_id) is None:
        return problem(status.HTTP_404_NOT_FOUND, f"no trading partner {partner_id}")
    documents = await run_in_threadpool(
        lambda: archive.documents(partner_id, reference or None, document_type or None, limit=limit)
    )
    return [DocumentPublic.model_validate(d.model_dump()) for d in documents]


def _detail(registry: PartnerRegistry, partner_id: str) -> PartnerDetailPublic | None:
    partner = registry.partner(partner_id)
    if partner is None:
        return None
    return PartnerDetailPublic.model_validate(
        {
            **PartnerPublic.of(partner).model_dump(),
            "items": registry.items(partner_id),
            "uoms": registry.conversions(partner_id),
            "store_customers": registry.store_customers(partner_id),
        }
    )
