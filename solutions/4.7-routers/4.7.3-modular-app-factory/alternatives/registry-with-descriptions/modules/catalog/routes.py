from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, status

from .service import CatalogService, Product, get_catalog_service

Catalog = Annotated[CatalogService, Depends(get_catalog_service)]

router = APIRouter(prefix="/catalog", tags=["catalog"])


@router.get("/products")
def list_products(catalog: Catalog) -> list[Product]:
    return catalog.all()


@router.get("/products/{sku}")
def read_product(sku: str, catalog: Catalog) -> Product:
    product = catalog.get(sku)
    if product is None:
        raise HTTPException(status_code=status.HTTP_404_NOT_FOUND, detail="Product not found")
    return product


@router.post("/products", status_code=status.HTTP_201_CREATED)
def add_product(product: Product, catalog: Catalog) -> Product:
    try:
        catalog.add(product)
    except ValueError:
        raise HTTPException(status_code=status.HTTP_409_CONFLICT, detail="SKU taken") from None
    return product
