"""The customs code tables as enumerations: wire code as value, Chinese name as label.

These are the tables of the customs messages (``domain/messages.md`` §4) that the
documents carry. The domain keeps its own enumerations with the same values (the
aggregates import no wire contract); a test holds the two equal, so a code added on
one side and not the other fails the suite. The gateway uses these to parse and
write messages and to print a code with its name.
"""

from __future__ import annotations

from enum import StrEnum


class CodeEnum(StrEnum):
    """An enumeration of wire codes whose members carry their Chinese name."""

    label: str

    def __new__(cls, code: str, label: str = "") -> CodeEnum:
        """Keep the code as the value and the name as ``label``."""
        member = str.__new__(cls, code)
        member._value_ = code
        member.label = label
        return member


class DirectionCode(CodeEnum):
    """进出口标记 / 进出区标志 (impexpMarkcd, ioTypecd)."""

    I = ("I", "进区")  # noqa: E741 (the wire code is the letter I)
    E = ("E", "出区")


class ChecklistTypeCode(CodeEnum):
    """清单类型 (bondInvtTypecd), ``messages.md`` §4.5."""

    ORDINARY = ("0", "普通清单")
    CONSOLIDATED = ("1", "集报清单")
    ENTER_FIRST = ("3", "先入区后报关")
    SIMPLE_PROCESSING = ("4", "简单加工")
    BONDED_EXHIBITION = ("5", "保税展示交易")
    INTRA_ZONE_TRANSFER = ("6", "区内流转")
    ZONE_PORT_LINKAGE = ("7", "区港联动")
    BONDED_ECOMMERCE = ("8", "保税电商")
    DOMESTIC_SALE = ("9", "一纳成品内销")


class GoodsFlagCode(CodeEnum):
    """料件成品标记 on a checklist (mtpckEndprdMarkcd)."""

    MATERIAL = ("I", "料件")
    PRODUCT = ("E", "成品")


class CustomsFlagCode(CodeEnum):
    """报关标志 (DclcusFlag), ``messages.md`` §4.7."""

    DECLARED = ("1", "报关")
    NOT_DECLARED = ("2", "非报关")


class DeclarationKindCode(CodeEnum):
    """报关类型 (DclcusTypecd)."""

    RELATED = ("1", "关联报关")
    CORRESPONDING = ("2", "对应报关")


class DeclarationTypeCode(CodeEnum):
    """报关单类型 (DecType), the values the samples and tables confirm."""

    IMPORT = ("1", "进口报关单")
    EXPORT = ("2", "出口报关单")
    ENTRY_RECORD = ("3", "进境备案清单")
    EXIT_RECORD = ("4", "出境备案清单")
    ENTRY_TWO_IN_ONE_RECORD = ("5", "进境两单一审备案清单")
    EXIT_TWO_IN_ONE_RECORD = ("6", "出境两单一审备案清单")
    EARLY_ENTRY_TRANSIT_RECORD = ("B", "转关提前进境备案清单")
    EARLY_EXIT_TRANSIT_RECORD = ("C", "转关提前出境备案清单")
    EXPORT_SECOND_TRANSIT = ("F", "出口二次转关单")


class PostingModeCode(CodeEnum):
    """核扣方式 (vrfdedModecd), ``messages.md`` §4.4."""

    DIRECT = ("D", "正扣")
    REVERSE = ("F", "反扣")
    NONE = ("N", "不扣")
    CHECK_ONLY = ("NF", "不扣但检查余量")
    BONDED_WAREHOUSE = ("E", "保税仓扣减")


class PostingMarkCode(CodeEnum):
    """核扣标记 (vrfdedMarkcd)."""

    NOT_POSTED = ("0", "未核扣")
    PROVISIONAL = ("1", "预核扣")
    POSTED = ("2", "已核扣")
    WRITTEN_OFF = ("3", "已核销")


class TransportModeCode(CodeEnum):
    """运输方式 (trspModecd), the standard table (``messages.md`` §4.12)."""

    NON_BONDED_AREA = ("0", "非保税区")
    BONDED_WAREHOUSE_SUPERVISED = ("1", "监管仓库")
    WATERWAY = ("2", "水路运输")
    RAILWAY = ("3", "铁路运输")
    ROAD = ("4", "公路运输")
    AIR = ("5", "航空运输")
    POST = ("6", "邮件运输")
    BONDED_AREA = ("7", "保税区")
    BONDED_WAREHOUSE = ("8", "保税仓库")
    OTHER = ("9", "其他运输")
    BORDER_SPECIAL_AREA = ("H", "边境特殊海关作业区")
    COMPREHENSIVE_TEST_AREA = ("T", "综合试验区")
    LOGISTICS_CENTRE = ("W", "物流中心")
    LOGISTICS_PARK = ("X", "物流园区")
    BONDED_PORT_AREA = ("Y", "保税港区")
    EXPORT_PROCESSING_ZONE = ("Z", "出口加工区")


class BusinessTypeCode(CodeEnum):
    """业务类型 (businessTypecd), ``messages.md`` §4.8."""

    SEPARATE_SHIPMENT = ("A", "分送集报")
    OUTWARD_PROCESSING = ("B", "外发加工")
    BONDED_EXHIBITION = ("C", "保税展示交易")
    EQUIPMENT_TESTING = ("D", "设备检测")
    EQUIPMENT_REPAIR = ("E", "设备维修")
    MOULD_OUTWARD = ("F", "模具外发")
    SIMPLE_PROCESSING = ("G", "简单加工")
    OTHER = ("H", "其他业务")
    SINGLE_TAXPAYER = ("Y", "一纳企业进出区")


class MaterialFlagCode(CodeEnum):
    """料件成品标志 on ledgers and forms (mtpckEndprdTypecd)."""

    MATERIAL = ("I", "料件/半成品")
    PRODUCT = ("E", "成品/残次品")
    SCRAP = ("R", "边角料/副产品")


class AreaTypeCode(CodeEnum):
    """区域场所类别 (bwlTypecd), ``messages.md`` §4.13."""

    LOGISTICS_CENTRE_A = ("A", "保税物流中心A")
    LOGISTICS_CENTRE_B = ("B", "保税物流中心B")
    PUBLIC_BONDED_WAREHOUSE = ("D", "公共保税仓库")
    LIQUID_BONDED_WAREHOUSE = ("E", "液体保税仓库")
    CONSIGNMENT_REPAIR_WAREHOUSE = ("F", "寄售维修保税仓库")
    SPECIAL_GOODS_WAREHOUSE = ("H", "特殊商品保税仓库")
    MATERIAL_PREPARATION_WAREHOUSE = ("I", "备料保税仓库")
    EXPORT_DISTRIBUTION_WAREHOUSE = ("P", "出口配送监管仓")
    DOMESTIC_TRANSFER_WAREHOUSE = ("J", "国内结转监管仓")
    BONDED_ZONE = ("K", "保税区")
    EXPORT_PROCESSING_ZONE = ("L", "出口加工区")
    BONDED_LOGISTICS_PARK = ("M", "保税物流园区")
    BONDED_PORT_AREA = ("N", "保税港区")
    COMPREHENSIVE_BONDED_ZONE = ("Z", "综合保税区")
    CROSS_BORDER_INDUSTRIAL_PARK = ("Q", "跨境工业园区")
    SPECIAL_AREA_EQUIPMENT = ("S", "特殊区域设备账册")


class GatePassTypeCode(CodeEnum):
    """核放单类型 (passportTypecd), ``messages.md`` §4.10."""

    ENTER_FIRST = ("1", "先入区后报关")
    FIRST_LINE = ("2", "一线一体化进出区")
    SECOND_LINE = ("3", "二线进出区")
    NON_DECLARATION = ("4", "非报关进出区")
    GATE_REGISTERED_GOODS = ("5", "卡口登记货物")
    EMPTY_VEHICLE = ("6", "空车进出区")


class BindingCode(CodeEnum):
    """绑定类型 (bindTypecd)."""

    ONE_VEHICLE_MANY_DOCUMENTS = ("1", "一车多票")
    ONE_DOCUMENT_ONE_VEHICLE = ("2", "一票一车")
    ONE_DOCUMENT_MANY_VEHICLES = ("3", "一票多车")


class RelatedKindCode(CodeEnum):
    """关联单证类型 (rltTbTypecd)."""

    CHECKLIST = ("1", "核注清单")
    STOCK_SLIP = ("2", "出入库单")
    DELIVERY_ORDER = ("3", "提运单")


class GatePassStatusCode(CodeEnum):
    """核放单状态 (stucd) as customs reports it."""

    APPLIED = ("0", "已申请")
    APPROVED = ("1", "已审批")
    CROSSED_SINGLE_GATE = ("2", "已过卡")
    CROSSED_FIRST_GATE = ("3", "已过一卡")
    CROSSED_SECOND_GATE = ("4", "已过二卡")
    DELETED = ("5", "已删除")
    VOIDED = ("6", "已作废")


class SupervisionModeCode(CodeEnum):
    """监管方式 (supvModecd): the modes of the bonded-logistics samples.

    The full table has hundreds of codes; a document may carry any four digits.
    These are the ones printed with their name.
    """

    MATERIAL_IN_OUT_ZONE = ("5000", "料件进出区")
    ZONE_LOGISTICS = ("5034", "区内物流货物")
    EQUIPMENT_IN_OUT_ZONE = ("5300", "设备进出区")
    BONDED_ECOMMERCE = ("1210", "保税电商")
    IMPORTED_MATERIAL_DEEP_PROCESSING = ("0654", "进料深加工")


def label_of(enumeration: type[CodeEnum], code: str) -> str:
    """The Chinese name of a code, or the code itself when the table lacks it."""
    try:
        return enumeration(code).label
    except ValueError:
        return code
