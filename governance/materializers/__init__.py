"""Materializers the platform team provides for the kit's artifacts."""

from governance.materializers.dataframe import DataFrameParquetMaterializer, dataframe_profile

__all__ = ["DataFrameParquetMaterializer", "dataframe_profile"]
