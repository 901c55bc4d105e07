import { describe, expect, it } from 'vitest';
import { DEFAULT_SOAP_FIELD_PATHS } from '../../src/workday/soapFields';
import { compileSoapPath } from '../../src/workday/soapPath';
import { parseXml, type XmlElement } from '../../src/workday/soapXml';

/** A worker written with the ns1: prefix, as a proxy or another Workday release might. */
const WORKER = `
<ns1:Worker xmlns:ns1="urn:com.workday/bsvc">
  <ns1:Worker_Reference ns1:Descriptor="Jane Doe">
    <ns1:ID ns1:type="WID">0f1e2d3c</ns1:ID>
    <ns1:ID ns1:type="Employee_ID">21001</ns1:ID>
  </ns1:Worker_Reference>
  <ns1:Worker_Data>
    <ns1:Worker_ID>21001</ns1:Worker_ID>
    <ns1:Personal_Data><ns1:Contact_Data>
      <ns1:Email_Address_Data>
        <ns1:Email_Address>old@example.com</ns1:Email_Address>
        <ns1:Usage_Data ns1:Public="0"><ns1:Type_Data ns1:Primary="0"><ns1:Type_Reference><ns1:ID ns1:type="Communication_Usage_Type_ID">HOME</ns1:ID></ns1:Type_Reference></ns1:Type_Data></ns1:Usage_Data>
      </ns1:Email_Address_Data>
      <ns1:Email_Address_Data>
        <ns1:Email_Address>new@example.com</ns1:Email_Address>
        <ns1:Usage_Data ns1:Public="0"><ns1:Type_Data ns1:Primary="true"><ns1:Type_Reference><ns1:ID ns1:type="Communication_Usage_Type_ID">HOME</ns1:ID></ns1:Type_Reference></ns1:Type_Data></ns1:Usage_Data>
      </ns1:Email_Address_Data>
    </ns1:Contact_Data></ns1:Personal_Data>
    <ns1:Employment_Data>
      <ns1:Worker_Job_Data ns1:Primary_Job="0"><ns1:Position_Data><ns1:Business_Title>Second job</ns1:Business_Title></ns1:Position_Data></ns1:Worker_Job_Data>
      <ns1:Worker_Job_Data ns1:Primary_Job="1"><ns1:Position_Data><ns1:Business_Title>Main job</ns1:Business_Title>
        <ns1:Worker_Type_Reference ns1:Descriptor="Regular"><ns1:ID ns1:type="Employee_Type_ID">Regular</ns1:ID></ns1:Worker_Type_Reference>
      </ns1:Position_Data></ns1:Worker_Job_Data>
    </ns1:Employment_Data>
    <ns1:Organization_Data>
      <ns1:Worker_Organization_Data><ns1:Organization_Data><ns1:Organization_Name>Global Operations</ns1:Organization_Name>
        <ns1:Organization_Type_Reference><ns1:ID ns1:type="Organization_Type_ID">SUPERVISORY</ns1:ID></ns1:Organization_Type_Reference></ns1:Organization_Data></ns1:Worker_Organization_Data>
      <ns1:Worker_Organization_Data><ns1:Organization_Data><ns1:Organization_Name>Contoso &amp; Co</ns1:Organization_Name>
        <ns1:Organization_Type_Reference><ns1:ID ns1:type="Organization_Type_ID">company</ns1:ID></ns1:Organization_Type_Reference></ns1:Organization_Data></ns1:Worker_Organization_Data>
    </ns1:Organization_Data>
  </ns1:Worker_Data>
</ns1:Worker>`;

const parsed = parseXml(WORKER);
const worker = (parsed.ok ? parsed.root : undefined) as XmlElement;
const select = (expression: string): string[] => compileSoapPath(expression).select(worker);

describe('compileSoapPath', () => {
  it('reads text through wd: steps whatever prefix the document uses', () => {
    expect(select('wd:Worker/wd:Worker_Data/wd:Worker_ID/text()')).toEqual(['21001']);
  });

  it('reads the same without prefixes', () => {
    expect(select('Worker/Worker_Data/Worker_ID/text()')).toEqual(['21001']);
  });

  it('selects by an attribute predicate and reads an attribute', () => {
    expect(select("wd:Worker/wd:Worker_Reference/wd:ID[@wd:type='Employee_ID']/text()")).toEqual(['21001']);
    expect(select('wd:Worker/wd:Worker_Reference/@wd:Descriptor')).toEqual(['Jane Doe']);
  });

  it('compares a numeric attribute as a number (Primary_Job=1)', () => {
    expect(
      select(
        'wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Job_Data[@wd:Primary_Job=1]/wd:Position_Data/wd:Business_Title/text()',
      ),
    ).toEqual(['Main job']);
  });

  it('takes a numeric predicate as a position', () => {
    expect(
      select(
        'wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Job_Data[1]/wd:Position_Data/wd:Business_Title/text()',
      ),
    ).toEqual(['Second job']);
    expect(
      select(
        'wd:Worker/wd:Worker_Data/wd:Employment_Data/wd:Worker_Job_Data[last()]/wd:Position_Data/wd:Business_Title/text()',
      ),
    ).toEqual(['Main job']);
  });

  it('compares a nested path with a literal, any node matching', () => {
    const home =
      "wd:Worker/wd:Worker_Data/wd:Personal_Data/wd:Contact_Data/wd:Email_Address_Data[wd:Usage_Data/wd:Type_Data/wd:Type_Reference/wd:ID[@wd:type='Communication_Usage_Type_ID']='HOME']/wd:Email_Address/text()";
    expect(select(home)).toEqual(['old@example.com', 'new@example.com']);
  });

  it('combines conditions with and, or and parentheses', () => {
    const primary =
      "wd:Worker/wd:Worker_Data/wd:Personal_Data/wd:Contact_Data/wd:Email_Address_Data[wd:Usage_Data/@wd:Public='0' and (wd:Usage_Data/wd:Type_Data/@wd:Primary='1' or wd:Usage_Data/wd:Type_Data/@wd:Primary='true')]/wd:Email_Address/text()";
    expect(select(primary)).toEqual(['new@example.com']);
  });

  it("evaluates Microsoft's Company expression, translate() included", () => {
    expect(select(DEFAULT_SOAP_FIELD_PATHS.legalEntity as string)).toEqual(['Contoso & Co']);
  });

  it("evaluates Microsoft's WorkerType expression with double-quoted literals", () => {
    expect(select(DEFAULT_SOAP_FIELD_PATHS.employeeType as string)).toEqual(['Regular']);
  });

  it('selects nothing when a step does not match', () => {
    expect(select("wd:Worker/wd:Worker_Reference/wd:ID[@wd:type='Contingent_Worker_ID']/text()")).toEqual([]);
  });

  it('refuses a descendant search, naming the expression', () => {
    expect(() => compileSoapPath('wd:Worker//wd:Email_Address')).toThrow(
      "Cannot read the XPath 'wd:Worker//wd:Email_Address': '//' (descendant search) is not supported",
    );
  });

  it('refuses an unclosed predicate', () => {
    expect(() => compileSoapPath("wd:Worker/wd:ID[@wd:type='WID'")).toThrow("expected ']'");
  });

  it('refuses characters outside the subset', () => {
    expect(() => compileSoapPath('wd:Worker | wd:Other')).toThrow("unexpected '|'");
  });
});
